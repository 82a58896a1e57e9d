"""Sign-in sessions: one row for each browser someone signed in on, named by a random id."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

BROWSER_LENGTH = 60


def hash_token(token: str) -> str:
    """Return the stored form of a session id: a leaked table names no working session."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SignInSession(db.Model):
    """A browser signed in as someone, until they sign out, it expires or it is ended."""

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # Coarse on purpose ("Firefox on Windows"): enough to recognise a session, too little to track anyone.
    browser: Mapped[str] = mapped_column(String(BROWSER_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship()  # noqa: F821

    # The id itself, known only to the request that started the session or was sent it in the cookie.
    token = None

    @classmethod
    def begin(cls, user, browser: str = "") -> "SignInSession":
        """Return a new session for `user` with a fresh random id (not yet added to the database)."""
        token = secrets.token_urlsafe(32)
        row = cls(token_hash=hash_token(token), user=user, browser=browser[:BROWSER_LENGTH])
        row.token = token
        return row
