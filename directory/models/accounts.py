"""People who sign in: directory admins and agency editors."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .sessions import SignInSession


class User(UserMixin, db.Model):
    """A directory admin or an agency editor."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    # Empty until the person sets a password from their invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The sign-in session this object was signed in or loaded through (directory/sign_in_sessions.py).
    sign_in_session = None

    def get_id(self):
        """Name this user's sign-in session in Flask-Login's cookie, starting one if there is none yet.

        Signing in starts one first (directory/sign_in_sessions.py), so only tests and scripts that
        put a user in a cookie directly come here without one. The session they get is committed at
        once: a request that rolls back its own work must not sign them out.
        """
        if self.sign_in_session is None or self.sign_in_session.token is None:
            self.sign_in_session = SignInSession.begin(self)
            db.session.add(self.sign_in_session)
            db.session.commit()
        return self.sign_in_session.token

    @property
    def organisation_ids(self) -> set[str]:
        return {m.organisation_id for m in self.memberships}

    def __repr__(self):
        return f"<User {self.email}>"


class Membership(db.Model):
    """A user's role in an organisation: they may edit that organisation's listings."""

    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="editor")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped["Organisation"] = relationship()  # noqa: F821


class Invitation(db.Model):
    """A single-use, expiring link to set a password (new editor or reset)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Only a hash of the token is stored, so a database leak does not leak working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10), default="invite")  # invite | reset
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
