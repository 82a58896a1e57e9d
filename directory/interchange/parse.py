"""Reading and validating ORUK service records: each becomes a `Parsed` with its problems listed.

A record is checked against the ORUK schema and the import's field table (`fields.py`: types, the
agency forms' rules and lengths) first, then read field by field (locations and hours in
`parse_locations.py`), then checked against our own rules for a listing.
What it says that we do not model is kept in its remainder, keyed where it can be matched again.
"""

from functools import cache
from types import SimpleNamespace

import jsonschema_rs

from ..models import LONDON_ONS_CODE, Catchment
from ..validation import check_listing
from . import fields, records
from .oruk import (
    NATIONAL_ONS_CODES,
    OPEN_ACCESS_KEY,
    PATHWAY_TAXONOMY_CODE,
    SCHEMA_BASE,
    UK_ONS_CODE,
    ons_code,
    registry,
    schema,
    schema_errors,
)
from .parse_locations import read_locations, read_schedules
from .records import Parsed, Vocabulary

MAX_REASONS = 8

SERVICE_KEYS = fields.keys("service")
ORGANIZATION_KEYS = fields.keys("organization")


def parse_record(index: int, record, vocabulary: Vocabulary) -> Parsed:
    """Read one ORUK service into a `Parsed`, listing every problem that would make us reject it."""
    if not isinstance(record, dict):
        return Parsed(index, "", "", problems=["It is not a JSON object."])
    parsed = Parsed(index, str(record.get("id") or ""), str(record.get("name") or ""))
    # The schema first (its messages name ORUK's rules), then ours: types it leaves open, the agency
    # forms' rules and lengths, and what we keep as it came. Past them every value has its type.
    if not _quick_validator().is_valid(record):
        parsed.problems.extend(schema_errors("service", record)[:MAX_REASONS])
    if not parsed.problems:
        parsed.problems.extend(fields.problems(record)[:MAX_REASONS])
    if parsed.problems:
        return parsed
    remainder = {
        "service": {k: v for k, v in record.items() if k not in SERVICE_KEYS},
        "keyed": {},
        "unmapped": {},
    }
    parsed.remainder = remainder
    _read_fields(parsed, record)
    _read_organization(parsed, record)
    _read_attributes(parsed, record, vocabulary)
    _read_service_areas(parsed, record, vocabulary)
    _read_languages(parsed, record)
    _read_phones(parsed, record)
    read_locations(parsed, record, vocabulary)
    read_schedules(parsed, record)
    _check_rules(parsed, vocabulary)
    for key in ("keyed", "unmapped"):
        if not remainder[key]:
            del remainder[key]
    if not remainder["service"]:
        del remainder["service"]
    return parsed


@cache
def _quick_validator():
    """Return a compiled check of the ORUK service schema, a hundred times quicker than `schema_errors`.

    It only says yes or no: a record it doubts goes through `schema_errors`, whose verdict and
    messages are the ones given, so the two can only differ in speed.
    """
    resources = [(uri, resource.contents) for uri, resource in registry().items()]
    return jsonschema_rs.Draft202012Validator(
        schema("service"),
        registry=jsonschema_rs.Registry(resources),
        validate_formats=True,
        base_uri=SCHEMA_BASE + "service.json",
    )


def _read_fields(parsed: Parsed, r: dict) -> None:
    f = parsed.fields
    f["name"] = r["name"].strip()
    f["description"] = r.get("description") or ""
    f["url"] = r.get("url") or None
    f["email"] = r.get("email") or None
    f["status"] = r["status"]
    f["alert"] = r.get("alert") or ""
    f["fees_description"] = r.get("fees_description") or r.get("fees") or ""
    if r.get("fees_description") and r.get("fees") and r["fees"] != r["fees_description"]:
        parsed.remainder["service"]["fees"] = r["fees"]
    f["application_process"] = r.get("application_process") or ""
    f["eligibility_description"] = r.get("eligibility_description") or ""
    f["accessibility"] = r.get("accessibility_description") or ""
    for key in ("minimum_age", "maximum_age"):
        value = r.get(key)
        f[key] = None if value is None else int(value)


def _read_organization(parsed: Parsed, r: dict) -> None:
    org = r.get("organization")
    if isinstance(org, dict):
        parsed.organization_id = org["id"]
        if r.get("organization_id") and r["organization_id"] != org["id"]:
            parsed.problems.append("organization_id and organization.id differ.")
        parsed.organization = {
            "name": org["name"].strip(),
            "description": org.get("description") or "",
            "email": org.get("email") or None,
            "website": org.get("website") or None,
        }
        parsed.organization_remainder = {k: v for k, v in org.items() if k not in ORGANIZATION_KEYS}
        if not parsed.organization["name"]:
            parsed.problems.append("The organization needs a name.")
    elif r.get("organization_id"):
        parsed.organization_id = r["organization_id"]
    else:
        parsed.problems.append(
            "A service needs an organization (an `organization` object or `organization_id`)."
        )


def _read_attributes(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    for item in r.get("attributes") or []:
        term = item.get("taxonomy_term") if isinstance(item.get("taxonomy_term"), dict) else {}
        term_id = item.get("taxonomy_term_id") or term.get("id")
        key = (term.get("taxonomy"), term.get("term") or term.get("code"))
        if term_id not in vocabulary.term_ids and key in vocabulary.by_code:
            term_id = vocabulary.by_code[key]
        if term_id not in vocabulary.term_ids and key[0] == PATHWAY_TAXONOMY_CODE:
            term_id = vocabulary.pathway_slugs.get(key[1], term_id)
        if term_id in vocabulary.term_ids or term_id in vocabulary.pathway_ids:
            # Pathway membership is curated here, so a pathway attribute is read but never applied.
            if term_id in vocabulary.term_ids and term_id not in parsed.term_ids:
                parsed.term_ids.append(term_id)
            rest = {
                k: v for k, v in item.items() if k not in ("taxonomy_term", "taxonomy_term_id", "link_id")
            }
            parsed.remainder["keyed"][f"attribute:{term_id}"] = rest
        else:
            parsed.remainder["unmapped"].setdefault("attributes", []).append(item)


def _area_kind(item: dict, vocabulary: Vocabulary) -> str | None:
    code = ons_code(item.get("uri"))
    if code in vocabulary.boroughs:
        return code
    if code == LONDON_ONS_CODE:
        return LONDON_ONS_CODE
    if code in NATIONAL_ONS_CODES:
        return UK_ONS_CODE
    texts = [str(item.get(k) or "").strip().lower() for k in ("extent", "name", "service_area")]
    if any(t.startswith("open access") for t in texts):
        return OPEN_ACCESS_KEY
    return None


def _read_service_areas(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    kinds = []
    for item in r.get("service_areas") or []:
        kind = _area_kind(item, vocabulary)
        if kind is None:
            parsed.remainder["unmapped"].setdefault("service_areas", []).append(item)
            continue
        kinds.append(kind)
        parsed.remainder["keyed"][f"service_area:{kind}"] = {
            k: v for k, v in item.items() if k not in ("uri", "service_id")
        }
    if UK_ONS_CODE in kinds:
        parsed.catchment = Catchment.NATIONAL
    elif LONDON_ONS_CODE in kinds:
        parsed.catchment = Catchment.LONDON
    elif any(k in vocabulary.boroughs for k in kinds):
        parsed.catchment = Catchment.BOROUGHS
        parsed.borough_codes = [k for k in kinds if k in vocabulary.boroughs]
    else:
        parsed.catchment = Catchment.OPEN_ACCESS
        if not kinds:
            parsed.warnings.append((records.NO_AREA, records.NO_AREA + "."))


def _read_languages(parsed: Parsed, r: dict) -> None:
    names = []
    for item in r.get("languages") or []:
        name = str(item.get("name") or "").strip()
        if not name or "," in name:
            parsed.remainder["unmapped"].setdefault("languages", []).append(item)
            continue
        if name not in names:
            names.append(name)
            parsed.remainder["keyed"][f"language:{name}"] = {
                k: v for k, v in item.items() if k not in ("name", "service_id")
            }
    parsed.fields["languages"] = ", ".join(names)
    if len(parsed.fields["languages"]) > fields.LANGUAGES.max_length:
        parsed.problems.append(
            f"languages: the names together are {len(parsed.fields['languages'])} characters long; "
            f"at most {fields.LANGUAGES.max_length} fit."
        )


def _read_phones(parsed: Parsed, r: dict) -> None:
    for item in r.get("phones") or []:
        parsed.phones.append((item["id"], item["number"].strip(), item.get("description") or ""))
        rest = {k: v for k, v in item.items() if k not in ("id", "number", "description", "service_id")}
        if rest:
            parsed.remainder["keyed"][f"phone:{item['id']}"] = rest


def _check_rules(parsed: Parsed, vocabulary: Vocabulary) -> None:
    # The listing's rules read only these attributes: a plain object holds them at a fraction of the
    # cost of a Service, which the session would also have to be kept from adopting.
    probe = SimpleNamespace(
        name=parsed.fields["name"],
        catchment=parsed.catchment,
        minimum_age=parsed.fields.get("minimum_age"),
        maximum_age=parsed.fields.get("maximum_age"),
        catchment_boroughs=[vocabulary.boroughs[c] for c in parsed.borough_codes],
    )
    parsed.problems.extend(check_listing(probe))
