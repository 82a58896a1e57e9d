"""Share numbers: a small permanent number per service, so a shared list's link stays short."""

from sqlalchemy import ForeignKey, Integer, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .listings import Service


class ShareNumber(db.Model):
    """A service's share number; a short list link is a list of these, never stored itself."""

    __tablename__ = "share_number"
    # AUTOINCREMENT on SQLite (PostgreSQL's sequence already does this): a number is never given out
    # twice, so an old link can never open a different service.
    __table_args__ = {"sqlite_autoincrement": True}

    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )


@event.listens_for(Service, "after_insert")
def _number_new_service(mapper, connection, service):
    # In the service's own INSERT's transaction, so every path that creates a service (seed, import,
    # agency, admin) numbers it, and a rolled-back creation leaves no number behind.
    connection.execute(insert(ShareNumber.__table__).values(service_id=service.id))
