"""Seeding the network's past events from `data/seed/network.json` (only what the documents give).

Each event is all-day (only its date is known) and published with a "seed" revision saying where
its facts come from. Ids are stable, so a second run changes nothing; an event a person has since
changed (any revision but the seed's) is left alone.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..extensions import db
from ..models import Event
from ..moderation import content
from ..network import events
from .plan import DATA_DIR, seed_id

NETWORK_FILE = DATA_DIR / "seed" / "network.json"


@dataclass
class EventSeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # changed by a person since: left alone

    def __str__(self):
        return (
            f"network events: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept} kept as edited"
        )


def load(path: Path | None = None) -> list[dict]:
    """Return the event entries of network.json; ValueError for an entry the seed cannot use."""
    entries = json.loads(Path(path or NETWORK_FILE).read_text(encoding="utf-8")).get("events", [])
    keys = set()
    for entry in entries:
        where = f"network.json event {entry.get('key')!r}"
        if not entry.get("key") or entry["key"] in keys or not (entry.get("title") or "").strip():
            raise ValueError(f"{where}: needs a key of its own and a title.")
        keys.add(entry["key"])
        try:
            date.fromisoformat(entry.get("date", ""))
        except ValueError as exc:
            raise ValueError(f"{where}: date must be YYYY-MM-DD.") from exc
    return entries


def snapshot(entry: dict) -> dict:
    """Return the all-day event an entry describes, as a moderation snapshot."""
    day = date.fromisoformat(entry["date"])
    starts_at, ends_at, _ = events.times_from_parts(day, None, None, None)
    return {
        "title": entry["title"].strip(),
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "all_day": True,
        "place": entry.get("place", ""),
        "is_online": False,
        "audience": entry.get("audience", ""),
        "organisation_id": None,
        "description": entry.get("description", ""),
        "registration_url": "",
    }


def seed_events(path: Path | None = None) -> EventSeedReport:
    """Create or update the seeded events (unless a person changed them); the caller commits."""
    report = EventSeedReport()
    for entry in load(path):
        wanted = snapshot(entry)
        event = db.session.get(Event, seed_id("event", entry["key"]))
        if event is None:
            event = Event(id=seed_id("event", entry["key"]), source_note=entry.get("source", ""))
            content.publish_seed(events.KIND, wanted, reason=entry.get("source", ""), item=event)
            report.created += 1
        elif any(r.action != "seed" for r in content.history(events.KIND, event.id)):
            report.kept += 1
        elif events.take(event) == wanted and event.source_note == entry.get("source", ""):
            report.unchanged += 1
        else:
            event.source_note = entry.get("source", "")
            if events.take(event) != wanted:
                content.publish_seed(events.KIND, wanted, reason=entry.get("source", ""), item=event)
            report.updated += 1
    db.session.flush()
    return report
