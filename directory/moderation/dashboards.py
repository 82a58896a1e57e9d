"""What needs attention: each agency listing's state, the review queue, reports and freshness figures."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import clock, completeness
from ..extensions import db
from ..models import Membership, Organisation, ProblemReport, Revision, RevisionStatus, Service, User
from ..models.base import as_utc, utcnow


def is_stale(service: Service, now=None) -> bool:
    """Return whether nobody has confirmed the listing within STALE_AFTER_DAYS."""
    if service.verified_at is None:
        return True
    now = now or utcnow()
    return as_utc(service.verified_at) < now - timedelta(days=current_app.config["STALE_AFTER_DAYS"])


@dataclass
class ListingState:
    """What an agency needs to know about one of its listings."""

    service: Service
    pending: list[Revision]
    rejected: Revision | None  # the latest rejection since the last published change
    open_reports: list[ProblemReport]
    stale: bool

    @property
    def urgency(self) -> tuple:
        # Most urgent first: never/long unverified, then open reports, then rejected changes.
        return (
            not self.stale,
            not self.open_reports,
            self.rejected is None,
            self.service.verified_at is not None,
            self.service.name.lower(),
        )


def listing_states(services: list[Service]) -> list[ListingState]:
    """Return the state of each service, most urgent first."""
    ids = [s.id for s in services]
    if not ids:
        return []
    revs = db.session.scalars(
        select(Revision)
        .where(
            Revision.service_id.in_(ids),
            Revision.status.in_([RevisionStatus.PENDING, RevisionStatus.REJECTED, RevisionStatus.PUBLISHED]),
        )
        .order_by(Revision.number)
    ).all()
    reports = db.session.scalars(
        select(ProblemReport)
        .where(ProblemReport.service_id.in_(ids), ProblemReport.status == "open")
        .order_by(ProblemReport.created_at)
    ).all()
    now = utcnow()
    states = []
    for service in services:
        mine = [r for r in revs if r.service_id == service.id]
        last_published = max((r.number for r in mine if r.status == RevisionStatus.PUBLISHED), default=0)
        rejected = [r for r in mine if r.status == RevisionStatus.REJECTED and r.number > last_published]
        states.append(
            ListingState(
                service=service,
                pending=[r for r in mine if r.status == RevisionStatus.PENDING],
                rejected=rejected[-1] if rejected else None,
                open_reports=[p for p in reports if p.service_id == service.id],
                stale=is_stale(service, now),
            )
        )
    return sorted(states, key=lambda s: s.urgency)


def agency_services(user: User) -> list[Service]:
    """Return the services of every organisation the user edits (admins: none unless members)."""
    org_ids = user.organisation_ids
    if not org_ids:
        return []
    return list(db.session.scalars(select(Service).where(Service.organisation_id.in_(org_ids))))


@dataclass
class QueueGroup:
    """A service's revisions waiting for review, oldest first."""

    service: Service
    revisions: list[Revision]

    @property
    def oldest(self):
        return self.revisions[0].created_at


def queue() -> list[QueueGroup]:
    """Return pending revisions grouped by service, the group with the oldest waiting first."""
    pending = db.session.scalars(
        select(Revision)
        .where(Revision.status == RevisionStatus.PENDING)
        .order_by(Revision.created_at, Revision.id)
    ).all()
    groups: dict[str, QueueGroup] = {}
    for revision in pending:
        groups.setdefault(revision.service_id, QueueGroup(revision.service, [])).revisions.append(revision)
    return list(groups.values())


def open_reports() -> list[ProblemReport]:
    """Return the public problem reports nobody has resolved yet, oldest first."""
    return list(
        db.session.scalars(
            select(ProblemReport).where(ProblemReport.status == "open").order_by(ProblemReport.created_at)
        )
    )


@dataclass
class OrganisationSummary:
    """An organisation's live listings (how many, how fresh, how complete) and its editors."""

    organisation: Organisation
    services: int
    stale: int  # not checked within STALE_AFTER_DAYS, the never-checked included
    active_editors: int
    never_checked: int = 0
    complete: int = 0  # live listings lacking nothing
    lacking: dict[str, int] = field(default_factory=dict)  # gap name → live listings lacking it
    invited: int = 0  # people invited who have not set a password yet

    @property
    def checked_recently(self) -> int:
        return self.services - self.stale

    @property
    def checked_long_ago(self) -> int:
        return self.stale - self.never_checked


def admin_summary_rows() -> list[OrganisationSummary]:
    """Return each organisation with its live, stale, never-checked, complete and editor counts."""
    now = clock.utcnow()  # the fake clock, so "a month later" can be shown
    # Every organisation's listings and what completeness reads, in a few queries however many there are.
    organisations = db.session.scalars(
        select(Organisation)
        .order_by(Organisation.name)
        .options(selectinload(Organisation.services).options(*completeness.LOADING))
    ).all()
    editors, invited = _members(User.password_hash.is_not(None)), _members(User.password_hash.is_(None))
    summaries = []
    for organisation in organisations:
        live = [s for s in organisation.services if s.is_visible]
        gaps = [completeness.of(s).gaps for s in live]
        summaries.append(
            OrganisationSummary(
                organisation=organisation,
                services=len(live),
                stale=sum(1 for s in live if is_stale(s, now)),
                active_editors=editors.get(organisation.id, 0),
                never_checked=sum(1 for s in live if s.verified_at is None),
                complete=sum(1 for listing_gaps in gaps if not listing_gaps),
                lacking=_lacking(gaps),
                invited=invited.get(organisation.id, 0),
            )
        )
    return summaries


def _members(condition) -> dict[str, int]:
    """Count each organisation's active members who meet `condition`."""
    return dict(
        db.session.execute(
            select(Membership.organisation_id, func.count())
            .join(User, User.id == Membership.user_id)
            .where(User.is_active.is_(True), condition)
            .group_by(Membership.organisation_id)
        ).all()
    )


def _lacking(gap_lists) -> dict[str, int]:
    counts = Counter(gap.name for gaps in gap_lists for gap in gaps)
    return {name: counts[name] for name in completeness.GAP_NAMES.values() if counts[name]}


def admin_summary() -> dict:
    """Return the figures for the admin dashboard."""
    pending = db.session.scalar(
        select(func.count()).select_from(Revision).where(Revision.status == RevisionStatus.PENDING)
    )
    reports = db.session.scalar(
        select(func.count()).select_from(ProblemReport).where(ProblemReport.status == "open")
    )
    summaries = admin_summary_rows()
    return {
        "pending": pending or 0,
        "reports": reports or 0,
        "stale_by_organisation": sorted(
            (s for s in summaries if s.stale), key=lambda s: (-s.stale, s.organisation.name)
        ),
        "without_editor": [s for s in summaries if s.active_editors == 0],
        "stale_total": sum(s.stale for s in summaries),
    }
