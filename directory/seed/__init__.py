"""Seed the directory with the sourced London services.

Two files: `data/sources/london-services-sources.csv` (the facts, each with its sources, date and
confidence) and `data/seed/listings.json` (a curated classification of the CSV's active rows:
service types, audiences, catchment, locations, care pathways). The CSV's provenance is carried into
each service; seeded services are unverified until a person confirms them.

Idempotent: ids are uuid5 of a fixed namespace, and only attributes that differ are written, so a
second run changes nothing and writes no revisions. A service that a person has since edited,
verified or closed (any non-seed revision, or a verification) is left alone.
"""

import json
from pathlib import Path

from .. import revisions
from ..extensions import db
from . import network, resources
from .plan import LISTINGS_FILE, SOURCES_FILE, load_sources, make_plan, seed_id
from .writing import SEED_KIND, SeedReport, write_organisation, write_pathway, write_service

RESOURCES_FILE = resources.RESOURCES_FILE

__all__ = [
    "LISTINGS_FILE",
    "RESOURCES_FILE",
    "SOURCES_FILE",
    "SeedReport",
    "load_sources",
    "seed_id",
    "seed_services",
]


def seed_services(
    listings_path: Path | None = None, sources_path: Path | None = None, resources_path: Path | None = None
) -> SeedReport:
    """Create or update the seeded London services, organisations, locations, pathways and resources.

    Writes (flushes, so the seed revisions are attributed to the seed) but does not commit: the
    caller commits. Raises ValueError when listings.json or resources.json names a row the CSV does
    not have, or an unknown taxonomy code, borough, organisation, format or pathway stage (checked
    before anything is written); the caller must not commit then.
    """
    spec = json.loads(Path(listings_path or LISTINGS_FILE).read_text(encoding="utf-8"))
    sources = load_sources(Path(sources_path or SOURCES_FILE))
    plan = make_plan(spec, sources)
    resource_entries = resources.load(resources_path)
    resources.check(resource_entries, plan)
    report = SeedReport(skipped_closed=plan.skipped_closed)

    with revisions.recording(kind=SEED_KIND, author_label="seed", reason="Seeded from public information"):
        with db.session.no_autoflush:
            organisations = {
                name: write_organisation(name, plan.organisations[name], report)
                for name in sorted({s["organisation"] for s in plan.services})
            }
            services, locations = {}, {}
            for entry in plan.services:
                services[entry["source_name"]] = write_service(
                    entry, organisations[entry["organisation"]], plan, report, locations
                )
            for position, pathway in enumerate(plan.pathways):
                write_pathway(position, pathway, services, report)
        db.session.flush()  # inside `recording`: the revisions this writes are of kind "seed"
        # After the flush: a resource's snapshot names pathway stages and services by id.
        resources.write_resources(resource_entries, plan, report)
        db.session.flush()
    report.network_events = str(network.seed_events())
    return report
