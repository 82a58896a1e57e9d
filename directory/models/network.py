"""The network the directory grew from: its events, how to join, and revisions of network content.

Network content (events here, harm-reduction resources in `resources.py`) is proposed by member
agencies and approved by admins; every change to it is a `ContentRevision`, generic over kinds
(the workflow is `directory.moderation.content`).
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import new_id, utcnow
from .moderation import RevisionStatus


class ContentStatus:
    """Where a piece of network content stands; only PUBLISHED is shown to the public."""

    PUBLISHED = "published"
    PENDING = "pending"  # proposed, never yet approved
    REJECTED = "rejected"  # its first proposal was turned down
    WITHDRAWN = "withdrawn"  # its first proposal was withdrawn

    ALL = (PUBLISHED, PENDING, REJECTED, WITHDRAWN)


class ContentRevision(db.Model):
    """A snapshot of one piece of network content (an event, a resource) with who, when and why."""

    __tablename__ = "content_revision"
    __table_args__ = (
        UniqueConstraint("kind", "item_id", "number", name="content_kind_item_number"),
        # The admins' queue and each organisation's own proposals.
        Index("ix_content_revision_status_created", "status", "created_at"),
        Index("ix_content_revision_kind_item", "kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "event" | "resource": a registered ContentKind
    item_id: Mapped[str] = mapped_column(String(36))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per item
    action: Mapped[str] = mapped_column(String(20))  # proposal | edit | admin | seed
    status: Mapped[str] = mapped_column(String(20), default=RevisionStatus.PENDING)
    snapshot: Mapped[dict] = mapped_column(JSON)
    # The proposing organisation (None for an admin's own change or a seed).
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_label: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped["Organisation | None"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821


class Event(db.Model):
    """A network meeting, training session or conference.

    Times are stored in UTC. An all-day event (only its dates are known) starts at midnight London
    time on its first day and `ends_at` is midnight London time on its last day.
    """

    __tablename__ = "network_event"
    __table_args__ = (Index("ix_network_event_status_starts", "status", "starts_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str] = mapped_column(Text, default="")  # an address or venue; empty when online only
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(Text, default="")  # who it is for, in the organiser's words
    # The organiser, a network member; None when the sources do not say who organised it.
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    registration_url: Mapped[str] = mapped_column(String(500), default="")
    source_note: Mapped[str] = mapped_column(Text, default="")  # where the facts come from (seeds)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped["Organisation | None"] = relationship()  # noqa: F821

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED

    def __repr__(self):
        return f"<Event {self.title!r}>"


class NetworkSettings(db.Model):
    """The one row of network settings admins edit: how an agency asks to join."""

    __tablename__ = "network_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    join_email: Mapped[str] = mapped_column(String(254), default="")
    join_details: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
