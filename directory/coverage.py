"""Coverage for commissioners: what a resident of each borough can use, where the gaps are, how fresh.

Every usable service is counted one of two ways (`locality`): local to the borough (located there, or
commissioned for its residents) or reachable from it (London-wide, national, remote, open access
elsewhere). "Usable" is `catchment.resident_tokens`, the answer search gives. Services are loaded once
with everything the answers need, so a whole matrix costs a handful of queries.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import catchment, clock, dimensions, locality
from .extensions import db
from .models import (
    Borough,
    Pathway,
    PathwayStage,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .models.base import as_utc

# Services specifically for LGBTQ+ people: the audiences the LGBTQ+ toggle keeps.
LGBTQ_AUDIENCES = ("lgbtq", "gay-bi-msm", "trans-non-binary")
# Boroughs commission these for their own residents, so a borough with no local one is a gap a
# commissioner can act on, whatever its residents can reach elsewhere. Type code -> what to call one.
BOROUGH_ESSENTIALS = {
    "drug-alcohol-treatment": "drug and alcohol service",
    "sexual-health": "sexual health clinic",
}


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


def is_lgbtq_specific(service: Service) -> bool:
    """Whether the service is specifically for LGBTQ+ people."""
    return bool(service.term_codes(dimensions.AUDIENCE.vocabulary) & set(LGBTQ_AUDIENCES))


def _local_and_reachable(services: list[Service], codes: set[str], keys) -> tuple[dict, dict]:
    """Count services per (borough code, key) two ways; `keys(service)` gives what each counts under."""
    local: dict[tuple[str, str], int] = defaultdict(int)
    reachable: dict[tuple[str, str], int] = defaultdict(int)
    for service in services:
        service_keys = keys(service)
        if not service_keys:
            continue
        split = locality.reach(service, codes)
        for counts, borough_codes in ((local, split.local), (reachable, split.reachable)):
            for code in borough_codes:
                for key in service_keys:
                    counts[(code, key)] += 1
    return dict(local), dict(reachable)


@dataclass
class Matrix:
    """Boroughs × service types: services local to each borough, and those its residents reach elsewhere."""

    boroughs: list[Borough]
    service_types: list[TaxonomyTerm]
    local_counts: dict[tuple[str, str], int]  # (borough ONS code, service-type code) -> services
    reachable_counts: dict[tuple[str, str], int]
    lgbtq_only: bool = False
    # Counted services with a physical place in no known borough: local nowhere, so the page names them.
    unplaced: list[Service] = field(default_factory=list)

    def local(self, borough: Borough, service_type: TaxonomyTerm) -> int:
        """Return how many services of this type are local to the borough."""
        return self.local_counts.get((borough.ons_code, service_type.code), 0)

    def reachable(self, borough: Borough, service_type: TaxonomyTerm) -> int:
        """Return how many services of this type the borough's residents can reach elsewhere."""
        return self.reachable_counts.get((borough.ons_code, service_type.code), 0)

    def local_row(self, borough: Borough) -> list[int]:
        """Return the borough's local figures, one per service type."""
        return [self.local(borough, t) for t in self.service_types]

    def reachable_row(self, borough: Borough) -> list[int]:
        """Return the borough's reachable figures, one per service type."""
        return [self.reachable(borough, t) for t in self.service_types]

    @property
    def cells(self) -> int:
        return len(self.boroughs) * len(self.service_types)

    def _cells(self):
        return ((b, t) for b in self.boroughs for t in self.service_types)

    @property
    def local_gaps(self) -> int:
        """Combinations with no listed local service (residents may still reach one elsewhere)."""
        return sum(1 for b, t in self._cells() if not self.local(b, t))

    def has_nothing(self, borough: Borough, service_type: TaxonomyTerm) -> bool:
        """Whether a resident can use no listed service of this type at all, local or reachable."""
        return not self.local(borough, service_type) and not self.reachable(borough, service_type)

    @property
    def gaps(self) -> int:
        """Combinations with nothing a resident can use, local or reachable."""
        return sum(1 for b, t in self._cells() if self.has_nothing(b, t))

    def local_gaps_in(self, borough: Borough) -> int:
        return sum(1 for t in self.service_types if not self.local(borough, t))

    def gaps_in(self, borough: Borough) -> int:
        return sum(1 for t in self.service_types if self.has_nothing(borough, t))

    def by_type(self) -> list[tuple[TaxonomyTerm, int, int]]:
        """Return each type with the boroughs that have a local service and those that can only reach one."""
        return [
            (
                t,
                sum(1 for b in self.boroughs if self.local(b, t)),
                sum(1 for b in self.boroughs if not self.local(b, t) and self.reachable(b, t)),
            )
            for t in self.service_types
        ]

    def without_local(self, service_type: TaxonomyTerm) -> list[Borough]:
        """Return the boroughs with no listed local service of this type."""
        return [b for b in self.boroughs if not self.local(b, service_type)]

    def essential_gaps(self) -> list["EssentialGap"]:
        """Return each of the BOROUGH_ESSENTIALS types with the boroughs that have no local one."""
        by_code = {t.code: t for t in self.service_types}
        return [
            EssentialGap(by_code[code], label, self.without_local(by_code[code]))
            for code, label in BOROUGH_ESSENTIALS.items()
            if code in by_code
        ]

    def without_any_essential(self) -> list[Borough]:
        """Return the boroughs with no listed local service of any of the BOROUGH_ESSENTIALS types."""
        gaps = self.essential_gaps()
        return [b for b in self.boroughs if gaps and all(b in gap.boroughs for gap in gaps)]


@dataclass(frozen=True)
class EssentialGap:
    """A service type every borough should have locally, and the boroughs with no listed local one."""

    service_type: TaxonomyTerm
    label: str  # "drug and alcohol service"
    boroughs: list[Borough]


def coverage_matrix(lgbtq_only: bool = False, services: list[Service] | None = None) -> Matrix:
    """Count, for each borough and service type, the published active services local to it and reachable."""
    all_boroughs = boroughs()
    if services is None:
        services = listed_services()
    if lgbtq_only:
        services = [s for s in services if is_lgbtq_specific(s)]
    codes = {b.ons_code for b in all_boroughs}
    local, reachable = _local_and_reachable(
        services, codes, lambda s: s.term_codes(dimensions.SERVICE_TYPE.vocabulary)
    )
    unplaced = [s for s in services if locality.is_unplaced(s)]
    return Matrix(all_boroughs, service_types(), local, reachable, lgbtq_only, unplaced)


def matrix_csv(matrix: Matrix) -> str:
    """Return the matrix as CSV: one row per borough, a local and a reachable column per service type."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    type_columns = [f"{t.name}: {kind}" for t in matrix.service_types for kind in ("local", "reachable")]
    totals = ["Types with no local service", "Types with no local or reachable service"]
    writer.writerow(["Borough", "ONS code", *type_columns, *totals])
    for b in matrix.boroughs:
        figures = [n for pair in zip(matrix.local_row(b), matrix.reachable_row(b), strict=True) for n in pair]
        writer.writerow([b.name, b.ons_code, *figures, matrix.local_gaps_in(b), matrix.gaps_in(b)])
    return out.getvalue()


@dataclass
class PathwayGaps:
    """One care pathway: for each borough and stage, the local services and those reachable elsewhere."""

    pathway: Pathway
    stages: list[PathwayStage]
    local_counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (ONS code, stage id) -> services
    reachable_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    boroughs: list[Borough] = field(default_factory=list)

    def local(self, borough: Borough, stage: PathwayStage) -> int:
        return self.local_counts.get((borough.ons_code, stage.id), 0)

    def reachable(self, borough: Borough, stage: PathwayStage) -> int:
        return self.reachable_counts.get((borough.ons_code, stage.id), 0)

    def count(self, borough: Borough, stage: PathwayStage) -> int:
        """Return every service a resident can use at the stage, local or reachable."""
        return self.local(borough, stage) + self.reachable(borough, stage)

    def missing_locally(self, borough: Borough) -> list[PathwayStage]:
        """Return the stages with no listed local service (one may still be reachable)."""
        return [s for s in self.stages if not self.local(borough, s)]

    def missing(self, borough: Borough) -> list[PathwayStage]:
        """Return the stages with nothing a resident can use, local or reachable."""
        return [s for s in self.stages if not self.count(borough, s)]

    @property
    def locally_incomplete_boroughs(self) -> list[Borough]:
        return [b for b in self.boroughs if self.missing_locally(b)]

    @property
    def incomplete_boroughs(self) -> list[Borough]:
        return [b for b in self.boroughs if self.missing(b)]


def pathway_completeness(services: list[Service] | None = None) -> list[PathwayGaps]:
    """For each care pathway, borough and stage, count local and reachable services (0 and 0 = a gap)."""
    all_boroughs = boroughs()
    pathways = db.session.scalars(
        select(Pathway).options(selectinload(Pathway.stages)).order_by(Pathway.position, Pathway.name)
    ).all()
    local, reachable = _local_and_reachable(
        listed_services() if services is None else services,
        {b.ons_code for b in all_boroughs},
        lambda s: [stage.id for stage in s.pathway_stages],
    )
    return [PathwayGaps(p, list(p.stages), local, reachable, all_boroughs) for p in pathways]


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
