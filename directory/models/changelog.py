"""The change log (outbox) that keeps every node's search index in step with the database."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class IndexChange(db.Model):
    """A service whose searchable content changed, written in the same transaction as the change.

    Each node applies the entries it has not yet applied; `seq` only grows.
    """

    __tablename__ = "index_change"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
