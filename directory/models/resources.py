"""Harm-reduction resources: materials (cards, packs, booklets, websites) rather than services.

A resource says what it is, who it is for, how to get it (an order page, or the listed services
that hand it out) and who produces it, with its sources. Agencies propose resources and admins
approve them through the generic content moderation (`ContentRevision`, kind "resource").
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .listings import PathwayStage, Service
from .network import ContentStatus

# In the order /resources groups them.
RESOURCE_FORMATS = ("card", "pack", "booklet", "online", "other")
FORMAT_LABELS = {
    "card": "Card",
    "pack": "Pack",
    "booklet": "Booklet or leaflet",
    "online": "Online",
    "other": "Other",
}

# The listed services that hand a resource out: shown on the resource's page and on each service's.
resource_services = Table(
    "resource_service",
    db.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The care pathway stages a resource belongs to (e.g. the chemsex pathway's harm-reduction stage).
resource_pathway_stages = Table(
    "resource_pathway_stage",
    db.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", ForeignKey("pathway_stage.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Resource(db.Model):
    """One harm-reduction material; only a published one is shown to the public."""

    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint("format IN ('card', 'pack', 'booklet', 'online', 'other')", name="format_known"),
        CheckConstraint("confidence IN ('high', 'medium', 'low')", name="confidence_known"),
        Index("ix_resource_status_name", "status", "name"),
    )

    # A slug made from its first name (e.g. "pip-pac-safer-chemsex-pack"), at most 36 characters:
    # `ContentRevision.item_id` holds it.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")  # who it is for, in words
    format: Mapped[str] = mapped_column(String(20), default="other")
    how_to_get: Mapped[str] = mapped_column(Text, default="")  # in words, e.g. "paramedics give it out"
    order_url: Mapped[str] = mapped_column(String(300), default="")
    # Who makes it: an organisation in the directory when it is one, else only a name (or neither).
    producer_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    producer_name: Mapped[str] = mapped_column(String(200), default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)  # web addresses the facts come from
    # As dated by the sources ("2023", "2024-05-15"): they do not always give a day.
    source_date: Mapped[str] = mapped_column(String(10), default="")
    source_notes: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[str] = mapped_column(String(10), default="medium")
    # When a person (the maintaining agency or an admin) last confirmed it; None for seeded facts.
    last_checked: Mapped[date | None] = mapped_column(Date)
    # The agency that keeps it up to date (None: the directory's admins).
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ContentStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    producer: Mapped["Organisation | None"] = relationship(foreign_keys=[producer_id])  # noqa: F821
    organisation: Mapped["Organisation | None"] = relationship(foreign_keys=[organisation_id])  # noqa: F821
    services: Mapped[list[Service]] = relationship(secondary=resource_services, order_by=Service.name)
    pathway_stages: Mapped[list[PathwayStage]] = relationship(
        secondary=resource_pathway_stages, order_by=(PathwayStage.pathway_id, PathwayStage.position)
    )

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    @property
    def producer_label(self) -> str:
        """Who makes it, as the public page says it ("" when not known)."""
        return self.producer.name if self.producer else self.producer_name

    def __repr__(self):
        return f"<Resource {self.id!r}>"
