"""Revisions of listings, public problem reports and the audit log."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class RevisionStatus:
    PUBLISHED = "published"  # applied to the listing (the history)
    PENDING = "pending"  # an agency's proposal awaiting review
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Revision(db.Model):
    """A snapshot of a service listing with who changed it, when and why."""

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("service_id", "number", name="service_number"),
        Index("ix_revision_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per service
    # seed | import | edit | proposal | closure | restore | admin | system
    kind: Mapped[str] = mapped_column(String(20), default="system")
    status: Mapped[str] = mapped_column(String(20), default=RevisionStatus.PUBLISHED)
    snapshot: Mapped[dict] = mapped_column(JSON)
    # The listing version this change was based on: a stale base means a concurrent edit.
    base_version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_label: Mapped[str] = mapped_column(String(120), default="")  # e.g. "seed", "import"
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, default="")

    service: Mapped["Service"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821


class ProblemReport(db.Model):
    """A public "report something wrong" submission about a listing."""

    __tablename__ = "problem_report"
    # The admins' queue: open reports, oldest first.
    __table_args__ = (Index("ix_problem_report_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    # Optional, only if the reporter wants a reply; never required.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    service: Mapped["Service"] = relationship()  # noqa: F821


class AuditEvent(db.Model):
    """A security-relevant event: sign-in, permission change, approval, rejection, restore."""

    __tablename__ = "audit_event"
    # The audit log page: one kind of event, newest first.
    __table_args__ = (Index("ix_audit_event_action_created", "action", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped["User | None"] = relationship()  # noqa: F821
