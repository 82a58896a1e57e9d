"""The parts of a listing, each named once: its key in a snapshot, its label in diffs, how the form fills it.

Revisions snapshot a service by these tables, moderation labels its diffs by them and the agency
form fills itself from a snapshot and back by them; the taxonomy vocabularies come from
`dimensions.TAXONOMIES`. A snapshot is plain JSON-able data, typed below as `Snapshot`.
"""

from dataclasses import dataclass
from typing import TypedDict

from .. import dimensions

# How the agency form fills a part of the listing.
KEPT = "kept"  # not on the form: carried over from the listing the editor started from
TEXT = "text"  # typed text, trimmed; "" when left blank
OPTIONAL = "optional"  # typed text, trimmed; None when left blank (web and email addresses)
NUMBER = "number"  # a whole number, or None
CHOICE = "choice"  # one code from a fixed list
TICKS = "ticks"  # any number of codes, ticked
ROWS = "rows"  # repeated rows, each a sub-form (phones, locations, opening times)
POSTCODE = "postcode"  # typed, then looked up to find the borough and coordinates
BOROUGH = "borough"  # chosen only when there is no postcode
FOUND = "found"  # never typed: found from the postcode or borough


@dataclass(frozen=True)
class Field:
    """One part of a listing."""

    key: str  # key in a snapshot; for a column, also the attribute of the model
    label: str  # what moderation diffs call it; "" when diffs leave it out
    kind: str  # how the agency form fills it (one of the kinds above)
    type: object = str  # what a snapshot holds for it
    # The most characters the form takes for typed text: the column's length, or for an unlimited
    # (Text) column what a reader of the listing can be asked to read.
    max_length: int | None = None


class PhoneSnapshot(TypedDict):
    """A phone number as a snapshot holds it."""

    number: str
    description: str


class ScheduleSnapshot(TypedDict):
    """A weekly opening session as a snapshot holds it (times as "HH:MM")."""

    weekday: int
    opens_at: str
    closes_at: str
    note: str


# Columns of a service that make up its listing, in the order snapshots store them. Verification and
# bookkeeping are left out, so "still accurate" clicks and no-op saves never create a revision.
SERVICE_FIELDS: tuple[Field, ...] = (
    Field("name", "Name", TEXT, max_length=200),
    Field("organisation_id", "Organisation", KEPT, str | None),
    Field("description", "Description", TEXT, max_length=5000),
    Field("status", "Status", KEPT),
    Field("is_published", "Shown publicly", KEPT, bool),
    Field("alert", "Alert", TEXT, max_length=1000),
    Field("url", "Website", OPTIONAL, str | None, max_length=300),
    Field("email", "Email", OPTIONAL, str | None, max_length=200),
    Field("application_process", "How to get help", TEXT, max_length=3000),
    Field("eligibility_description", "Who can use it", TEXT, max_length=3000),
    Field("minimum_age", "Minimum age", NUMBER, int | None),
    Field("maximum_age", "Maximum age", NUMBER, int | None),
    Field("fees_description", "Fees", TEXT, max_length=500),
    Field("languages", "Languages", TEXT, max_length=300),
    Field("accessibility", "Accessibility", TEXT, max_length=2000),
    Field("catchment", "Who may use it (by where they live)", CHOICE),
)

# Columns of a location, in snapshot order. Coordinates follow the postcode, so diffs leave them out.
LOCATION_FIELDS: tuple[Field, ...] = (
    Field("location_type", "Kind of location", CHOICE),
    Field("name", "Name", TEXT, max_length=200),
    Field("description", "Description", KEPT),
    Field("address_1", "Address", TEXT, max_length=200),
    Field("address_2", "Address line 2", TEXT, max_length=200),
    Field("city", "Town or city", TEXT, max_length=100),
    Field("postcode", "Postcode", POSTCODE, str | None, max_length=10),
    Field("borough_code", "Borough", BOROUGH, str | None),
    Field("latitude", "", FOUND, float | None),
    Field("longitude", "", FOUND, float | None),
    Field("url", "Web address", OPTIONAL, str | None, max_length=300),
)
# What belongs to the service's use of a location (its ServiceAtLocation) rather than to the place.
AT_LOCATION_FIELDS: tuple[Field, ...] = (
    Field("hours_note", "Note on opening times", TEXT, max_length=1000),
    Field("schedules", "Opening times", ROWS, list[ScheduleSnapshot]),
)
LOCATION_PARTS: tuple[Field, ...] = (*LOCATION_FIELDS, *AT_LOCATION_FIELDS)


def longest(key: str, table: tuple[Field, ...] = SERVICE_FIELDS) -> int:
    """Return the most characters the form takes for a typed part of the listing (a key of `table`)."""
    found = next(f for f in table if f.key == key)
    if found.max_length is None:
        raise LookupError(f"{key} is not typed text")
    return found.max_length

LocationSnapshot = TypedDict(  # built from the table, so the keys are named once
    "LocationSnapshot", {"id": str | None, **{f.key: f.type for f in LOCATION_PARTS}}, total=False
)

# The rest of a listing: its taxonomy terms (one list per vocabulary), boroughs, phones and places.
TERMS = Field("terms", "", TICKS, dict[str, list[str]])
CATCHMENT_BOROUGHS = Field("catchment_boroughs", "Boroughs whose residents may use it", TICKS, list[str])
PHONES = Field("phones", "Phone numbers", ROWS, list[PhoneSnapshot])
LOCATIONS = Field("locations", "", ROWS, list[LocationSnapshot])

SNAPSHOT_FIELDS: tuple[Field, ...] = (*SERVICE_FIELDS, TERMS, CATCHMENT_BOROUGHS, PHONES, LOCATIONS)

# A listing as revisions store it. Not total: a proposal's starting point names only some parts.
Snapshot = TypedDict(  # built from the table, so the keys are named once
    "Snapshot", {f.key: f.type for f in SNAPSHOT_FIELDS}, total=False
)

# The taxonomy vocabularies a listing is filed under, in snapshot and diff order.
VOCABULARIES: tuple[str, ...] = tuple(d.vocabulary for d in dimensions.TAXONOMIES)
