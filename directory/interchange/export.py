"""Export every listed service as a file of full ORUK 3.0 (HSDS) services, a JSON array."""

import json

from sqlalchemy import select

from ..extensions import db
from ..models import Service
from .documents import ExportContext, service, service_load_options


def listed_ids() -> list[str]:
    """Return the ids of every listed (published, active) service, in export order: by name, then id."""
    return list(
        db.session.scalars(select(Service.id).where(Service.is_listed).order_by(Service.name, Service.id))
    )


def iter_oruk_services(batch_size: int = 100, *, full: bool = True):
    """Yield every published, active service as ORUK JSON, loading `batch_size` rows at a time."""
    ids = listed_ids()
    for start in range(0, len(ids), batch_size):
        batch_ids = ids[start : start + batch_size]
        rows = db.session.scalars(
            select(Service).where(Service.id.in_(batch_ids)).options(*service_load_options())
        )
        by_id = {s.id: s for s in rows}
        services = [by_id[i] for i in batch_ids if i in by_id]
        context = ExportContext(services)
        for s in services:
            yield service(s, context, full=full)


def export_services(path) -> int:
    """Write every published service as a JSON array of full ORUK services; return how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for data in iter_oruk_services():
            f.write(("\n" if count == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
            count += 1
        f.write("\n]\n")
    return count
