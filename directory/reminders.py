"""Reminding agencies to confirm their listings: before they go stale, once they have, and old waits.

`queue_reminders` (run daily by `flask reminders queue`) finds every listed service whose check is
due: "due-soon" (REMIND_BEFORE_STALE_DAYS before it goes stale), "stale" (not confirmed within
STALE_AFTER_DAYS, or never), and "capacity" (what it says about new referrals is older than
CAPACITY_FRESH_DAYS). Each active editor of an organisation gets ONE email listing all of its due
listings, each with a single-use "still accurate" link (confirmation_links.py) and an edit link.

A `Reminder` row per listing, stage and due date records that it was sent, so a second run (or a
second node at once: the table's unique constraint) never reminds twice for the same due date; a
new due date (after the listing is confirmed again) is a new reminder. An organisation with no
active editor is counted, not emailed, and gets no Reminder rows, so an editor added later is told.

Stages the reminders, links and mail; the caller commits.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import capacity, clock, confirmation_links, mail
from .extensions import db
from .links import external_url
from .models import Organisation, Reminder, Service, User
from .models.base import as_utc
from .moderation.workflow import pending_revisions
from .notifications import active_editors

DUE_SOON, STALE, CAPACITY = "due-soon", "stale", "capacity"
KIND = "reminder"


@dataclass(frozen=True)
class Due:
    """One reminder a listing needs: its stage, the due date it is for, and why, in words."""

    service: Service
    stage: str
    due_on: date
    why: str


@dataclass
class Entry:
    """One listing as a reminder email lists it (its "still accurate" link differs per editor)."""

    service: Service
    reasons: list[str]
    waiting_for_review: bool
    edit_link: str
    page_link: str
    about_capacity: bool = False
    confirm_link: str = ""


@dataclass
class Report:
    """What one run did."""

    reminders: int = 0  # Reminder rows written: one per listing, stage and due date
    messages: int = 0
    editors: set[int] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    without_editor: list[str] = field(default_factory=list)  # organisation names, not emailed
    already_reminded: int = 0

    def summary(self) -> str:
        """Say what the run did, as the command prints it."""
        lines = [
            f"{_count(self.reminders, 'reminder')} to {_count(len(self.editors), 'editor')} "
            f"in {_count(len(self.organisations), 'organisation')} "
            f"({_count(self.messages, 'email')} staged; `flask mail send` delivers them)."
        ]
        if self.without_editor:
            lines.append(
                f"{_count(len(self.without_editor), 'organisation')} "
                f"{'has' if len(self.without_editor) == 1 else 'have'} no editor, so nobody was reminded: "
                + ", ".join(self.without_editor)
                + "."
            )
        if self.already_reminded:
            lines.append(f"{_count(self.already_reminded, 'reminder')} already sent earlier; not sent again.")
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def due_for(service: Service, now: datetime) -> list[Due]:
    """Return the reminders `service` needs at `now` (whether or not they were sent already)."""
    config = current_app.config
    found = []
    if service.verified_at is None:
        created = clock.in_london(service.created_at).date()
        listed = capacity.date_text(service.created_at)
        found.append(Due(service, STALE, created,
                         f"Never confirmed accurate since it was listed on {listed}."))
    else:
        verified = as_utc(service.verified_at)
        due = verified + timedelta(days=config["STALE_AFTER_DAYS"])
        last = capacity.date_text(verified)
        if now >= due:
            found.append(Due(service, STALE, clock.in_london(due).date(),
                             f"Not confirmed since {last}: the directory shows it as possibly out of date."))
        elif now >= due - timedelta(days=config["REMIND_BEFORE_STALE_DAYS"]):
            found.append(Due(service, DUE_SOON, clock.in_london(due).date(),
                             f"Goes out of date on {capacity.date_text(due)} (last confirmed {last})."))
    state = capacity.state(service, now, config["CAPACITY_FRESH_DAYS"])
    if state is not None and state.out_of_date:
        due = state.stated_at + timedelta(days=config["CAPACITY_FRESH_DAYS"])
        found.append(Due(service, CAPACITY, clock.in_london(due).date(),
                         f"It says “{state.label}”, said on {state.said_on}: is that still so?"))
    return found


def due_reminders(now: datetime | None = None) -> list[Due]:
    """Return every listed service's due reminders at `now`, by organisation and listing name."""
    now = now or clock.utcnow()
    return [due for service in _listed_services() for due in due_for(service, now)]


def _listed_services() -> list[Service]:
    return list(
        db.session.scalars(
            select(Service)
            .join(Organisation, Organisation.id == Service.organisation_id)
            .where(Service.is_listed)
            .options(selectinload(Service.organisation))
            .order_by(Organisation.name, Service.name, Service.id)
        )
    )


def already_sent(dues: list[Due]) -> set[tuple[str, str, date]]:
    """Return which of these (service id, stage, due date) were reminded of before."""
    keys = {(d.service.id, d.stage, d.due_on) for d in dues}
    if not keys:
        return set()
    service_ids = {key[0] for key in keys}
    rows = db.session.execute(
        select(Reminder.service_id, Reminder.stage, Reminder.due_on)
        .where(Reminder.service_id.in_(service_ids))
    ).all()
    return {tuple(row) for row in rows} & keys


def queue_reminders(now: datetime | None = None) -> Report:
    """Stage today's reminders: one email per organisation per active editor; return what was done."""
    now = now or clock.utcnow()
    report = Report()
    dues = due_reminders(now)
    sent = already_sent(dues)
    report.already_reminded = len(sent)
    by_organisation: dict[str, list[Due]] = defaultdict(list)
    for due in dues:
        if (due.service.id, due.stage, due.due_on) not in sent:
            by_organisation[due.service.organisation_id].append(due)
    for organisation_id, org_dues in by_organisation.items():
        organisation = org_dues[0].service.organisation
        editors = active_editors(organisation_id)
        if not editors:
            report.without_editor.append(organisation.name)
            continue
        for due in org_dues:
            db.session.add(Reminder(service_id=due.service.id, stage=due.stage, due_on=due.due_on))
        report.reminders += len(org_dues)
        entries = _entries(org_dues)
        for editor in editors:
            report.messages += len(_send(editor, organisation, entries))
            report.editors.add(editor.id)
        report.organisations.add(organisation_id)
    return report


def _entries(dues: list[Due]) -> list[Entry]:
    """Group an organisation's due reminders into one entry per listing."""
    entries: dict[str, Entry] = {}
    for due in dues:
        service = due.service
        if service.id not in entries:
            entries[service.id] = Entry(
                service=service,
                reasons=[],
                waiting_for_review=bool(pending_revisions(service)),
                edit_link=external_url("agency.edit_service", service_id=service.id),
                page_link=external_url("agency.service", service_id=service.id),
            )
        entries[service.id].reasons.append(due.why)
        entries[service.id].about_capacity |= due.stage == CAPACITY
    return list(entries.values())


def _send(editor: User, organisation: Organisation, entries: list[Entry]) -> list:
    """Stage one editor's email, with a link of their own for each listing that can be confirmed."""
    mine = []
    for entry in entries:
        link = ""
        if not entry.waiting_for_review:
            token = confirmation_links.issue(entry.service, editor)
            link = external_url("agency.confirm", token=token)
        mine.append(replace(entry, confirm_link=link))
    return mail.queue(
        KIND,
        editor.email,
        "reminder",
        user=editor,
        organisation=organisation,
        entries=mine,
        link_days=current_app.config["CONFIRMATION_LINK_DAYS"],
        stale_after_days=current_app.config["STALE_AFTER_DAYS"],
        dashboard=external_url("agency.dashboard"),
    )
