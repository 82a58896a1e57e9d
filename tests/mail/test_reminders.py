"""Reminders to confirm listings: when each is due, once per due date, one email per organisation per editor.

The clock is pinned (DIRECTORY_NOW) and the mail goes through the loopback SMTP server, read as the
editor would read it; the "still accurate" link in it is followed by someone not signed in.
"""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from directory import listing, moderation, reminders
from directory.extensions import db
from directory.models import OutboxMessage, Reminder, Service
from tests.accounts_helpers import make_user
from tests.mail_server import deliver as deliver_now
from tests.mail_server import links_in, path_of, text_of

CHECKED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # goes stale 183 days later: 12 July 2026


@pytest.fixture
def agency(app, make):
    """An agency with two listings checked on 10 January 2026, two active editors and one switched off."""
    org = make.organisation("Lambeth Recovery Trust")
    clinic = make.service("Brixton chemsex clinic", organisation=org, postcode="SW9 8BS",
                          verified_at=CHECKED)
    outreach = make.service("Stockwell outreach", organisation=org, verified_at=CHECKED)
    editor = make_user(make, "editor@lambeth.example", organisations=[org])
    second = make_user(make, "second@lambeth.example", organisations=[org])
    gone = make_user(make, "gone@lambeth.example", organisations=[org])
    gone.is_active = False
    db.session.commit()
    return SimpleNamespace(org=org, clinic=clinic, outreach=outreach, editor=editor, second=second, gone=gone)


def at(app, moment: str):
    app.config["DIRECTORY_NOW"] = moment


def deliver():
    """Deliver what waits: outbox rows are dated by the real clock, so the pinned one is lifted meanwhile."""
    from flask import current_app

    pinned = current_app.config.pop("DIRECTORY_NOW", None)
    try:
        return deliver_now()
    finally:
        current_app.config["DIRECTORY_NOW"] = pinned


def run():
    report = reminders.queue_reminders()
    db.session.commit()
    return report


def reminder_rows():
    return {(r.service_id, r.stage, r.due_on) for r in db.session.scalars(select(Reminder))}


def outbox_count():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_nothing_is_due_until_a_month_before_the_listing_goes_stale(app, agency):
    at(app, "2026-06-11T12:00:00+00:00")
    report = run()
    assert report.reminders == 0 and outbox_count() == 0


def test_a_month_before_it_goes_stale_each_active_editor_gets_one_email_listing_both(
    app, agency, real_mail
):
    at(app, "2026-06-13T09:00:00+01:00")
    report = run()
    assert report.reminders == 2 and len(report.editors) == 2 and len(report.organisations) == 1
    due = date(2026, 7, 12)
    assert reminder_rows() == {(agency.clinic.id, "due-soon", due), (agency.outreach.id, "due-soon", due)}
    assert deliver().sent == 2
    assert real_mail.to("gone@lambeth.example") == []
    for address in ("editor@lambeth.example", "second@lambeth.example"):
        [message] = real_mail.to(address)
        assert message["Subject"] == "Are 2 of Lambeth Recovery Trust's listings still accurate?"
        text = text_of(message)
        assert "1. Brixton chemsex clinic" in text and "2. Stockwell outreach" in text
        assert text.count("Goes out of date on 12 July 2026 (last confirmed 10 January 2026)") == 2
        confirm = [link for link in links_in(message) if "/agency/confirm/" in link]
        edits = [link for link in links_in(message) if link.endswith("/edit")]
        assert len(confirm) == 2 and len(edits) == 2
        assert path_of(edits[0]) == f"/agency/services/{agency.clinic.id}/edit"
    # Each editor's links are their own.
    first, second = (real_mail.to(a)[0] for a in ("editor@lambeth.example", "second@lambeth.example"))
    assert not set(links_in(first)) & {link for link in links_in(second) if "/confirm/" in link}


def test_once_stale_it_is_reminded_again_and_says_since_when(app, agency, real_mail):
    at(app, "2026-06-13T12:00:00+00:00")
    run()
    at(app, "2026-07-13T12:00:00+00:00")
    report = run()
    assert report.reminders == 2
    assert (agency.clinic.id, "stale", date(2026, 7, 12)) in reminder_rows()
    deliver()
    latest = real_mail.to("editor@lambeth.example")[-1]
    said = "Not confirmed since 10 January 2026: the directory shows it as possibly out of date."
    assert said in text_of(latest)


def test_a_listing_never_confirmed_is_stale_at_once_dated_from_when_it_was_listed(app, make, real_mail):
    org = make.organisation("Hackney Harm Reduction")
    service = make.service("Hackney drop-in", organisation=org)
    make_user(make, "editor@hackney.example", organisations=[org])
    at(app, "2026-12-20T12:00:00+00:00")
    assert run().reminders == 1
    created = service.created_at.replace(tzinfo=UTC).astimezone(reminders.clock.LONDON).date()
    assert reminder_rows() == {(service.id, "stale", created)}
    deliver()
    [message] = real_mail.to("editor@hackney.example")
    assert message["Subject"] == "Is Hackney drop-in still accurate?"
    assert f"Never confirmed accurate since it was listed on {created:%-d %B %Y}." in text_of(message)
    assert run().reminders == 0  # and never again for that date


def test_an_old_statement_about_new_referrals_is_reminded_after_capacity_fresh_days(app, agency, real_mail):
    agency.clinic.verified_at = datetime(2026, 4, 1, tzinfo=UTC)
    agency.outreach.verified_at = datetime(2026, 4, 1, tzinfo=UTC)
    agency.clinic.capacity, agency.clinic.capacity_wait_weeks = "waiting_list", 6
    agency.clinic.capacity_stated_at = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    db.session.commit()
    at(app, "2026-05-30T12:00:00+00:00")
    assert run().reminders == 0
    at(app, "2026-06-01T12:00:00+00:00")
    assert run().reminders == 1
    assert reminder_rows() == {(agency.clinic.id, "capacity", date(2026, 5, 31))}
    deliver()
    [message] = real_mail.to("editor@lambeth.example")
    assert message["Subject"] == "Is Brixton chemsex clinic still accurate?"
    assert "It says “Waiting list: about 6 weeks”, said on 1 May 2026: is that still so?" in text_of(message)
    assert f"http://localhost/agency/services/{agency.clinic.id}#capacity" in links_in(message)


def test_running_twice_sends_nothing_twice_and_a_new_due_date_is_a_new_reminder(app, agency, real_mail):
    at(app, "2026-06-13T12:00:00+00:00")
    assert run().reminders == 2
    messages = outbox_count()
    second = run()
    assert second.reminders == 0 and second.already_reminded == 2 and outbox_count() == messages
    deliver()
    assert len(real_mail.to("editor@lambeth.example")) == 1
    # Confirmed again in June: its new due date (December) is reminded in November, once.
    agency.clinic.verified_at = datetime(2026, 6, 14, 12, 0, tzinfo=UTC)
    db.session.commit()
    at(app, "2026-11-20T12:00:00+00:00")
    report = run()
    assert (agency.clinic.id, "due-soon", date(2026, 12, 14)) in reminder_rows()
    assert report.reminders == 2  # the clinic's new date, and the outreach listing now stale
    assert run().reminders == 0


def test_an_organisation_without_an_active_editor_is_counted_not_emailed(app, agency, make):
    lonely = make.organisation("Nobody's Charity")
    make.service("Orphan service", organisation=lonely)
    at(app, "2026-06-13T12:00:00+00:00")
    report = run()
    assert report.without_editor == ["Nobody's Charity"]
    assert "1 organisation has no editor" in report.summary()
    # No record for it, so an editor added later is still told.
    orphan = db.session.scalar(select(Service).where(Service.name == "Orphan service"))
    assert all(row[0] != orphan.id for row in reminder_rows())


def test_a_listing_with_a_change_waiting_for_review_gets_no_still_accurate_link(app, agency, real_mail):
    moderation.propose_change(agency.clinic, {**listing.take(agency.clinic), "description": "New words"},
                              agency.editor, base_version=agency.clinic.version, base_pending_id=0)
    db.session.commit()
    at(app, "2026-06-13T12:00:00+00:00")
    run()
    deliver()
    [message] = real_mail.to("second@lambeth.example")
    text = text_of(message)
    assert "A change to this listing is waiting for a directory admin's review" in text
    confirm = [link for link in links_in(message) if "/agency/confirm/" in link]
    assert len(confirm) == 1  # the outreach listing's only
    assert f"/agency/services/{agency.clinic.id}" in text


def test_the_emailed_link_confirms_the_listing_without_signing_in(app, agency, real_mail):
    at(app, "2026-06-13T12:00:00+00:00")
    run()
    deliver()
    [message] = real_mail.to("editor@lambeth.example")
    first = next(link for link in links_in(message) if "/agency/confirm/" in link)
    client = app.test_client()
    page = client.get(path_of(first))
    assert page.status_code == 200 and "Yes, this is still accurate" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Service, agency.clinic.id).verified_at.replace(tzinfo=UTC) == CHECKED
    done = client.post(path_of(first))
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    db.session.expire_all()
    clinic = db.session.get(Service, agency.clinic.id)
    assert clinic.verification_method == "agency" and clinic.verified_by_id == agency.editor.id
    assert clinic.verified_at.replace(tzinfo=UTC) > CHECKED


def test_the_command_says_what_it_did_and_is_safe_to_run_again(app, agency, runner):
    at(app, "2026-06-13T12:00:00+00:00")
    result = runner.invoke(args=["reminders", "queue"])
    assert result.exit_code == 0, result.output
    assert "2 reminders to 2 editors in 1 organisation" in result.output
    again = runner.invoke(args=["reminders", "queue"])
    assert again.exit_code == 0
    assert "0 reminders to 0 editors in 0 organisations" in again.output
    assert "2 reminders already sent earlier; not sent again." in again.output


def test_a_run_racing_another_node_sends_nothing_twice(app, agency, runner, monkeypatch):
    at(app, "2026-06-13T12:00:00+00:00")
    run()
    messages = outbox_count()
    # As if the other node wrote its reminders between this run's check and its commit.
    real_check = reminders.already_sent
    calls = []

    def blind_first(dues):
        calls.append(dues)
        return set() if len(calls) == 1 else real_check(dues)

    monkeypatch.setattr(reminders, "already_sent", blind_first)
    result = runner.invoke(args=["reminders", "queue"])
    assert result.exit_code == 0, result.output
    assert "2 reminders already sent earlier; not sent again." in result.output
    assert len(calls) == 2  # refused once by the unique constraint, then run again
    assert outbox_count() == messages and len(reminder_rows()) == 2
