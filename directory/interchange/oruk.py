"""Open Referral UK 3.0: the schemas to check documents against, and what both directions share.

ORUK 3.0 is a profile of HSDS 3.0. This module holds the ORUK schemas (bundled, never fetched), the
version and profile we speak, the ONS and day codes we read and write, the stable ids we derive for
what we do not store as rows, and the rule that merges what we derive, what a source said and what
we store (`merge`).
"""

import json
import re
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..models import ONS_GEOGRAPHY_URI
from ..models.base import as_utc

DATA_DIR = Path(__file__).parent.parent / "data" / "oruk"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0/"
VERSION = "HSDS-UK 3.0"

# A UK-wide area for national services: the ONS code for the United Kingdom.
UK_ONS_CODE = "K02000001"
# Codes an importer may use for "anyone in the country": UK, Great Britain, England and Wales, England.
NATIONAL_ONS_CODES = {UK_ONS_CODE, "K03000001", "K04000001", "E92000001"}
OPEN_ACCESS_KEY = "open-access"
OPEN_ACCESS_EXTENT = "Open access: anyone may use this service, wherever they live."
_ONS_URI = re.compile(r"^https?://statistics\.data\.gov\.uk/id/statistical-geography/([A-Z][0-9]{8})/?$")

# Care pathways are published as one more taxonomy; its id is fixed so links stay stable.
PATHWAY_TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://directory.invalid/taxonomy/pathway"))
PATHWAY_TAXONOMY_CODE = "pathway"

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- schemas -------------------------------------------------------------------------------------


@cache
def registry() -> Registry:
    """Return the ORUK 3.0 schemas, registered under their published URIs (never fetched)."""
    resources = []
    for path in sorted((DATA_DIR / "schema").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (SCHEMA_BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


@cache
def schema(name: str) -> dict:
    """Return one ORUK schema by file stem, e.g. "service" or "service_list"."""
    return registry()[SCHEMA_BASE + f"{name}.json"].contents


@cache
def validator(name: str) -> Draft202012Validator:
    """Return a validator for one ORUK schema that checks formats (uuid, date-time, email)."""
    return Draft202012Validator(schema(name), registry=registry(), format_checker=FormatChecker())


def schema_errors(name: str, document) -> list[str]:
    """Return what is wrong with a document against an ORUK schema, one line per problem."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{_path(e.absolute_path) or '(record)'}: {e.message}" for e in errors]


def _path(parts) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(parts)
    )


# --- ids, timestamps and merging -----------------------------------------------------------------


def derived_id(*parts: str) -> str:
    """Return a stable UUID for something we do not store as a row (an address, an attribute)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "directory:" + ":".join(parts)))


def ons_uri(code: str) -> str:
    """Return the ONS statistical-geography URI of a code."""
    return ONS_GEOGRAPHY_URI.format(code=code)


def ons_code(uri: str | None) -> str | None:
    """Return the ONS code in a statistical-geography URI, or None."""
    match = _ONS_URI.match((uri or "").strip())
    return match.group(1) if match else None


def timestamp(moment: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp with milliseconds, as ORUK asks."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def merge(derived: dict, remainder: dict | None, stored: dict) -> dict:
    """Combine: what we derive < what the source said < what we store."""
    return {**derived, **(remainder or {}), **{k: v for k, v in stored.items() if v is not None}}
