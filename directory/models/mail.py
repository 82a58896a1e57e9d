"""Email waiting to go out, and the links and reminders that email carries.

A message is written to the outbox in the same transaction as the change that causes it, so a
rolled-back change sends nothing and a committed one is never forgotten; `flask mail send`
delivers what is waiting (directory/mail/delivery.py).
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class OutboxMessage(db.Model):
    """One email to one address: waiting, sent, or given up on after its last attempt."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_waiting", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "invitation", "reminder": why it was sent
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")


class ConfirmationLink(db.Model):
    """A single-use, expiring "still accurate" link for one listing, emailed to one editor."""

    __tablename__ = "confirmation_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Only a hash of the link's secret is stored, so a database leak does not leak working links.
    secret_hash: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service: Mapped["Service"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821


class Reminder(db.Model):
    """That a listing's editors were reminded of one due date, so they never are twice for it."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("service_id", "stage", "due_on", name="once_per_due_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    # "due-soon" (a month before it goes stale), "stale", or "capacity" (its waits are out of date)
    stage: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CapacityStatement(db.Model):
    """What an agency said about taking new referrals, and when: kept, never overwritten."""

    __tablename__ = "capacity_statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[str] = mapped_column(String(20))  # see Service.capacity
    wait_weeks: Mapped[int | None] = mapped_column(Integer)
    stated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # "stated" (a new statement) or "confirmed" (the same again, from the agency page or an email link)
    how: Mapped[str] = mapped_column(String(20), default="stated")

    stated_by: Mapped["User | None"] = relationship()  # noqa: F821
