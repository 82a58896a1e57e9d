"""Export the directory as CSV for spreadsheets: one row per service and location.

Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula, so
every such cell is written with a leading quote (OWASP's rule for CSV injection).
"""

import csv

import phonenumbers
from sqlalchemy import select

from .. import catchment as catchment_rules
from .. import dimensions, hours_wording
from ..extensions import db
from ..models import Service
from .documents import ExportContext, service_load_options
from .export import listed_ids
from .oruk import timestamp

CSV_COLUMNS = (
    "service_id",
    "service",
    "organisation",
    "location",
    "address",
    "postcode",
    "borough",
    "who_can_use",
    *(d.field for d in dimensions.TAXONOMIES),  # each vocabulary's term names
    "pathways",
    "phones",
    "email",
    "website",
    "hours",
    "hours_note",
    "last_verified",
    "last_modified",
)


def export_csv(path) -> int:
    """Write one row per service-location (a service with no location gets one row); return the rows."""
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in csv_rows():
            writer.writerow({column: spreadsheet_safe(value) for column, value in row.items()})
            rows += 1
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Return a cell a spreadsheet will show as text: one starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_phone(number: str) -> str:
    """Return a phone number as the CSV writes it: UK numbers nationally, as the agency form stores them."""
    # OWASP says to quote every cell starting with +, but "'+44 20 ..." is ugly in a sheet and the quote
    # shows. A UK number written nationally ("020 ...") loses nothing and needs no quote; a foreign
    # number stays international and is quoted like any other cell starting with +.
    if not number.startswith("+44"):
        return number
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def csv_rows(batch_size: int = 100):
    """Yield the CSV export's rows as dicts."""
    ids = listed_ids()
    for start in range(0, len(ids), batch_size):
        batch = list(
            db.session.scalars(
                select(Service)
                .where(Service.id.in_(ids[start : start + batch_size]))
                .options(*service_load_options())
                .order_by(Service.name, Service.id)
            )
        )
        context = ExportContext(batch)
        for service in batch:
            common = {
                "service_id": service.id,
                "service": service.name,
                "organisation": service.organisation.name,
                "who_can_use": catchment_rules.describe(service),
                **{d.field: "; ".join(t.name for t in service.terms_in(d.vocabulary))
                   for d in dimensions.TAXONOMIES},
                "pathways": "; ".join(p.name for p in context.pathways.get(service.id, [])),
                "phones": "; ".join(
                    f"{csv_phone(p.number)} ({p.description})" if p.description else csv_phone(p.number)
                    for p in service.phones
                ),
                "email": service.email or "",
                "website": service.url or "",
                "last_verified": service.verified_at.date().isoformat() if service.verified_at else "",
                "last_modified": timestamp(service.last_modified),
            }
            if not service.service_at_locations:
                yield {
                    **common,
                    "location": "",
                    "address": "",
                    "postcode": "",
                    "borough": "",
                    "hours": "",
                    "hours_note": "",
                }
            for sal in service.service_at_locations:
                loc = sal.location
                yield {
                    **common,
                    "location": loc.name or loc.location_type,
                    "address": ", ".join(line for line in (loc.address_1, loc.address_2, loc.city) if line),
                    "postcode": loc.postcode or "",
                    "borough": loc.borough.name if loc.borough is not None else "",
                    "hours": hours_wording.csv_hours(sal.schedules),
                    "hours_note": sal.hours_note or "",
                }
