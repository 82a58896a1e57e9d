"""A service's listing as one typed record: its parts, snapshots of it, applying one, and diffs.

`fields` names each part once (snapshot key, diff label, form kind); `snapshot` takes and applies
snapshots; `diff` says what changed between two. Revisions, moderation and the agency form read these.
"""

from .diff import Change, describe_location, diff, location_title
from .fields import (
    AT_LOCATION_FIELDS,
    CATCHMENT_BOROUGHS,
    LOCATION_FIELDS,
    LOCATION_PARTS,
    LOCATIONS,
    PHONES,
    SERVICE_FIELDS,
    SNAPSHOT_FIELDS,
    TERMS,
    VOCABULARIES,
    Field,
    LocationSnapshot,
    PhoneSnapshot,
    ScheduleSnapshot,
    Snapshot,
    longest,
)
from .snapshot import apply, take
from .storable import problem as storage_problem

__all__ = [
    "AT_LOCATION_FIELDS",
    "CATCHMENT_BOROUGHS",
    "LOCATION_FIELDS",
    "LOCATION_PARTS",
    "LOCATIONS",
    "PHONES",
    "SERVICE_FIELDS",
    "SNAPSHOT_FIELDS",
    "TERMS",
    "VOCABULARIES",
    "Change",
    "Field",
    "LocationSnapshot",
    "PhoneSnapshot",
    "ScheduleSnapshot",
    "Snapshot",
    "apply",
    "describe_location",
    "diff",
    "location_title",
    "longest",
    "storage_problem",
    "take",
]
