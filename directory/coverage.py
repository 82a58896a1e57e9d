"""Coverage for commissioners: what a resident of each borough can use, where the gaps are, how fresh.

"Can a resident use it" is `catchment.resident_tokens`, the same answer search gives. Services are
loaded once with everything the answers need, so a whole matrix costs a handful of queries.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import catchment, clock, dimensions
from .extensions import db
from .models import Borough, Pathway, PathwayStage, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from .models.base import as_utc

# Services specifically for LGBTQ+ people: the audiences the LGBTQ+ toggle keeps.
LGBTQ_AUDIENCES = ("lgbtq", "gay-bi-msm", "trans-non-binary")


def listed_services(*, include_inactive: bool = False) -> list[Service]:
    """Return published services (active only, unless asked) with what coverage needs loaded."""
    query = (
        select(Service)
        .where(Service.is_visible if include_inactive else Service.is_listed)
        .options(
            selectinload(Service.terms).selectinload(TaxonomyTerm.taxonomy),
            selectinload(Service.catchment_boroughs),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
            selectinload(Service.organisation),
            selectinload(Service.pathway_stages),
        )
        .order_by(Service.name)
    )
    return list(db.session.scalars(query))


def boroughs() -> list[Borough]:
    """Return the 33 London boroughs in name order."""
    return list(db.session.scalars(select(Borough).order_by(Borough.name)))


def service_types() -> list[TaxonomyTerm]:
    """Return the service-type terms in display order."""
    query = select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.code == dimensions.SERVICE_TYPE.vocabulary)
    return list(db.session.scalars(query.order_by(TaxonomyTerm.position)))


def usable_borough_codes(service: Service, all_codes: set[str]) -> set[str]:
    """Return the ONS codes of the boroughs whose residents can use the service."""
    tokens = catchment.resident_tokens(service)
    if catchment.EVERYWHERE in tokens:
        return set(all_codes)
    return tokens & all_codes


def is_lgbtq_specific(service: Service) -> bool:
    """Whether the service is specifically for LGBTQ+ people."""
    return bool(service.term_codes(dimensions.AUDIENCE.vocabulary) & set(LGBTQ_AUDIENCES))


@dataclass
class Matrix:
    """Boroughs × service types: how many services a resident of the borough can use."""

    boroughs: list[Borough]
    service_types: list[TaxonomyTerm]
    counts: dict[tuple[str, str], int]  # (borough ONS code, service-type code) -> services
    lgbtq_only: bool = False

    def count(self, borough: Borough, service_type: TaxonomyTerm) -> int:
        return self.counts.get((borough.ons_code, service_type.code), 0)

    def row(self, borough: Borough) -> list[int]:
        return [self.count(borough, t) for t in self.service_types]

    @property
    def cells(self) -> int:
        return len(self.boroughs) * len(self.service_types)

    @property
    def gaps(self) -> int:
        return sum(1 for b in self.boroughs for t in self.service_types if not self.count(b, t))

    def gaps_by_type(self) -> list[tuple[TaxonomyTerm, int]]:
        """Return each service type with the number of boroughs that have none."""
        return [(t, sum(1 for b in self.boroughs if not self.count(b, t))) for t in self.service_types]

    def gaps_in(self, borough: Borough) -> int:
        return sum(1 for n in self.row(borough) if not n)


def coverage_matrix(lgbtq_only: bool = False, services: list[Service] | None = None) -> Matrix:
    """Count, for each borough and service type, the published active services its residents can use."""
    all_boroughs = boroughs()
    codes = {b.ons_code for b in all_boroughs}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for service in listed_services() if services is None else services:
        if lgbtq_only and not is_lgbtq_specific(service):
            continue
        types = service.term_codes(dimensions.SERVICE_TYPE.vocabulary)
        for code in usable_borough_codes(service, codes):
            for type_code in types:
                counts[(code, type_code)] += 1
    return Matrix(all_boroughs, service_types(), dict(counts), lgbtq_only)


def matrix_csv(matrix: Matrix) -> str:
    """Return the matrix as CSV: one row per borough, one column per service type."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Borough", "ONS code", *(t.name for t in matrix.service_types), "Gaps"])
    for borough in matrix.boroughs:
        writer.writerow([borough.name, borough.ons_code, *matrix.row(borough), matrix.gaps_in(borough)])
    return out.getvalue()


@dataclass
class PathwayGaps:
    """One care pathway: for each borough, the stages with no service its residents can use."""

    pathway: Pathway
    stages: list[PathwayStage]
    # borough -> {stage id: number of usable services}
    available: dict[str, dict[str, int]] = field(default_factory=dict)
    boroughs: list[Borough] = field(default_factory=list)

    def count(self, borough: Borough, stage: PathwayStage) -> int:
        return self.available.get(borough.ons_code, {}).get(stage.id, 0)

    def missing(self, borough: Borough) -> list[PathwayStage]:
        return [s for s in self.stages if not self.count(borough, s)]

    @property
    def incomplete_boroughs(self) -> list[Borough]:
        return [b for b in self.boroughs if self.missing(b)]


def pathway_completeness(services: list[Service] | None = None) -> list[PathwayGaps]:
    """For each care pathway and borough, count usable services at each stage (0 = a gap)."""
    all_boroughs = boroughs()
    codes = {b.ons_code for b in all_boroughs}
    pathways = db.session.scalars(
        select(Pathway).options(selectinload(Pathway.stages)).order_by(Pathway.position, Pathway.name)
    ).all()
    stage_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for service in listed_services() if services is None else services:
        stage_ids = [stage.id for stage in service.pathway_stages]
        if not stage_ids:
            continue
        for code in usable_borough_codes(service, codes):
            for stage_id in stage_ids:
                stage_counts[code][stage_id] += 1
    return [
        PathwayGaps(
            pathway=p,
            stages=list(p.stages),
            available={code: dict(stages) for code, stages in stage_counts.items()},
            boroughs=all_boroughs,
        )
        for p in pathways
    ]


@dataclass
class FreshnessRow:
    label: str
    total: int = 0
    fresh: int = 0

    @property
    def stale(self) -> int:
        return self.total - self.fresh

    @property
    def percent(self) -> int:
        """Whole-number share verified recently (0 when there is nothing to verify)."""
        return round(100 * self.fresh / self.total) if self.total else 0


@dataclass
class Freshness:
    """How many listings someone confirmed recently, overall, by organisation and by borough."""

    stale_after_days: int
    cutoff: datetime
    overall: FreshnessRow
    by_organisation: list[FreshnessRow]
    by_borough: list[FreshnessRow]
    stalest: list[tuple[Service, datetime | None]]


NO_BOROUGH = "London-wide, national or remote (no borough)"


def listing_boroughs(service: Service, names: dict[str, str]) -> list[str]:
    """Return the names of the boroughs a listing belongs to: where it is, else whom it is for."""
    codes = catchment.located_in(service)
    if not codes and service.catchment == "boroughs":
        codes = {b.ons_code for b in service.catchment_boroughs}
    return sorted(names[c] for c in codes if c in names) or [NO_BOROUGH]


def freshness_report(organisation_ids=None, stalest_limit: int = 20) -> Freshness:
    """Say what share of published listings was verified within STALE_AFTER_DAYS, and which are stalest."""
    days = current_app.config["STALE_AFTER_DAYS"]
    cutoff = clock.now().astimezone(UTC) - timedelta(days=days)
    services = listed_services(include_inactive=True)
    if organisation_ids is not None:
        wanted = set(organisation_ids)
        services = [s for s in services if s.organisation_id in wanted]
    names = {b.ons_code: b.name for b in boroughs()}

    overall = FreshnessRow("All listings")
    by_org: dict[str, FreshnessRow] = {}
    by_borough: dict[str, FreshnessRow] = {}
    for service in services:
        verified = as_utc(service.verified_at)
        fresh = verified is not None and verified >= cutoff
        org = service.organisation.name
        rows = [overall, by_org.setdefault(org, FreshnessRow(org))]
        rows += [by_borough.setdefault(n, FreshnessRow(n)) for n in listing_boroughs(service, names)]
        for row in rows:
            row.total += 1
            row.fresh += fresh

    stalest = sorted(
        ((s, as_utc(s.verified_at)) for s in services),
        # Never verified first, then oldest verification; name breaks ties so the list is stable.
        key=lambda pair: (pair[1] is not None, pair[1] or cutoff, pair[0].name),
    )
    stalest = [(s, v) for s, v in stalest if v is None or v < cutoff][:stalest_limit]
    return Freshness(
        stale_after_days=days,
        cutoff=cutoff,
        overall=overall,
        by_organisation=sorted(by_org.values(), key=lambda r: (r.percent, r.label)),
        by_borough=sorted(by_borough.values(), key=lambda r: (r.label == NO_BOROUGH, r.label)),
        stalest=stalest,
    )


def freshness_for_organisations(org_ids, stalest_limit: int = 20) -> Freshness:
    """Return freshness for these organisations' listings only (an agency's own dashboard)."""
    return freshness_report(organisation_ids=list(org_ids), stalest_limit=stalest_limit)
