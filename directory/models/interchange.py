"""What imported Open Referral records said that this directory does not model.

Kept so that export gives it back: import -> export -> import loses nothing the standard covers.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class InterchangeRecord(db.Model):
    """The unmodelled remainder of an imported service or organization, as ORUK JSON fragments."""

    __tablename__ = "interchange_record"

    entity_type: Mapped[str] = mapped_column(String(20), primary_key=True)  # service | organization
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
