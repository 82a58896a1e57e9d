"""The admins' daily email of what waits for review: proposed changes, problem reports, network content.

`flask notify review-summary` runs it (from cron, once a day or more often). Nothing waits: no
email. It is sent at most once a day (a London day, `directory.clock`) to each admin: the
outbox rows of kind "review-summary" staged that day are the record, so no table is needed.
The command commits; `flask mail send` delivers.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from . import clock, mail, moderation
from .extensions import db
from .links import external_url
from .models import OutboxMessage
from .models.base import as_utc
from .moderation import content
from .notifications import active_admins

KIND = "review-summary"
LISTED = 25  # the longest list in one email; the queue page has the rest

_CHANGE_WORDS = {"edit": "Changes", "proposal": "New service", "closure": "Closure"}


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for an admin, as the summary lists it."""

    what: str
    days: int
    link: str


@dataclass
class Queue:
    """What waits for review today."""

    changes: list[Waiting]
    reports: int
    content: list[Waiting]

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.reports or self.content)


@dataclass
class Outcome:
    """What one run did: whom it told, whom it had told already today, or that nothing waits."""

    queue: Queue
    sent_to: list[str] = field(default_factory=list)
    already_told: list[str] = field(default_factory=list)


def waiting(now: datetime | None = None) -> Queue:
    """Return what waits for review, each list oldest first."""
    now = now or clock.utcnow()
    # The queue groups by service; the summary lists every change, the longest waiting first.
    pending = [r for group in moderation.queue() for r in group.revisions]
    pending.sort(key=lambda r: (as_utc(r.created_at), r.id))
    changes = [
        Waiting(
            what=f"{_CHANGE_WORDS.get(r.kind, 'Changes')}: {r.service.name} ({r.service.organisation.name})",
            days=_days(r.created_at, now),
            link=external_url("admin.revision", revision_id=r.id),
        )
        for r in pending
    ]
    proposals = [
        Waiting(
            what=f"{content.kind(r.kind).noun.capitalize()}: {_content_title(r)}",
            days=_days(r.created_at, now),
            link=external_url("admin.content_revision", content_revision_id=r.id),
        )
        for r in content.pending()
    ]
    return Queue(changes=changes, reports=len(moderation.open_reports()), content=proposals)


def send(now: datetime | None = None) -> Outcome:
    """Stage today's summary for each active admin not yet sent one today; the caller commits."""
    now = now or clock.utcnow()
    queue = waiting(now)
    outcome = Outcome(queue=queue)
    if queue.is_empty:
        return outcome
    told = _told_today(now)
    admins = active_admins()
    outcome.already_told = [a.email for a in admins if a.email in told]
    staged = mail.queue(
        KIND,
        [a.email for a in admins if a.email not in told],
        "review_summary",
        changes=queue.changes[:LISTED],
        more_changes=max(0, len(queue.changes) - LISTED),
        change_count=len(queue.changes),
        reports=queue.reports,
        proposals=queue.content[:LISTED],
        more_proposals=max(0, len(queue.content) - LISTED),
        proposal_count=len(queue.content),
        queue_link=external_url("admin.queue"),
        reports_link=external_url("admin.queue") + "#reports",
        content_link=external_url("admin.queue") + "#content",
        day=clock.in_london(now),
    )
    for row in staged:
        # Staged "now" by the directory's clock, which is what the once-a-day check reads.
        row.created_at = row.next_attempt_at = now
    outcome.sent_to = [row.recipient for row in staged]
    return outcome


def _told_today(now: datetime) -> set[str]:
    """Return the addresses already sent a summary on `now`'s London day."""
    day = clock.in_london(now).date()
    # From London midnight to London midnight: 23 or 25 hours on the days the clocks change.
    start, end = (_midnight(d) for d in (day, day + timedelta(days=1)))
    return set(
        db.session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.kind == KIND, OutboxMessage.created_at >= start, OutboxMessage.created_at < end
            )
        )
    )


def _midnight(day: date) -> datetime:
    """Return the UTC time at which a London day starts."""
    return datetime.combine(day, time(), tzinfo=clock.LONDON).astimezone(UTC)


def _days(created_at: datetime, now: datetime) -> int:
    return max(0, (as_utc(now) - as_utc(created_at)).days)


def _content_title(revision) -> str:
    item = content.item_of(revision)
    return (
        revision.snapshot.get("title")
        or revision.snapshot.get("name")
        or (content.title_of(item) if item is not None else "(untitled)")
    )
