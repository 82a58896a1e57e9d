"""Who is told by email: problem reports, review outcomes and the admins' daily summary, over real SMTP.

Each message is sent through the loopback SMTP server and read as its recipient would: what it
says, and where its links lead when followed by the person signed in.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from directory import listing, moderation, revisions
from directory.extensions import db
from directory.models import OutboxMessage, ProblemReport, Revision, RevisionStatus
from directory.moderation import content
from directory.network import events
from tests.accounts_helpers import make_user, signed_in
from tests.mail_server import deliver, html_of, links_in, path_of, text_of
from tests.network.helpers import event_snapshot, join_network

REPORTER = "reporter.private@example.net"


@pytest.fixture
def people(app, make):
    """A listing with two active editors and one switched off, another agency's editor, two admins."""
    org = make.organisation("Lambeth Recovery Trust")
    other = make.organisation("Hackney Harm Reduction")
    service = make.service("Brixton chemsex clinic", organisation=org, postcode="SW9 8BS")
    editor = make_user(make, "editor@lambeth.example", organisations=[org])
    second = make_user(make, "second@lambeth.example", organisations=[org])
    gone = make_user(make, "gone@lambeth.example", organisations=[org])
    outsider = make_user(make, "editor@hackney.example", organisations=[other])
    admin = make_user(make, "admin@directory.example", is_admin=True)
    both = make_user(make, "both@directory.example", is_admin=True, organisations=[org])
    retired = make_user(make, "retired@directory.example", is_admin=True)
    gone.is_active = retired.is_active = False
    db.session.commit()
    return SimpleNamespace(
        org=org, other=other, service=service, editor=editor, second=second, gone=gone,
        outsider=outsider, admin=admin, both=both, retired=retired,
    )


def _report(client, service, **data):
    response = client.post(f"/services/{service.id}/report", data={
        "category": "opening-times", "message": "It is closed on Mondays now, not open 9 to 5.",
        "contact_email": REPORTER, **data,
    })
    assert response.status_code == 302
    return response


def _propose(service, author, **changes):
    return moderation.propose_change(
        service, {**listing.take(service), **changes}, author, base_version=service.version,
        base_pending_id=getattr(moderation.latest_pending_edit(service), "id", 0),
    )


def _text(message) -> str:
    return text_of(message).replace("\r\n", "\n")


def _paths(message) -> list[str]:
    """The site paths a message links to (the footer's bare address is not a link to follow)."""
    return [path_of(u) for u in links_in(message) if u.startswith("http://localhost/")]


def _everything(message) -> str:
    return "\n".join([message["Subject"], message["To"], text_of(message), html_of(message)])


# --- Problem reports ---------------------------------------------------------------------------


def test_a_report_reaches_the_listings_active_editors_and_the_admins_once_each(client, people, real_mail):
    _report(client, people.service)
    assert deliver().sent == 4
    # Not the switched-off editor or admin, not another agency's editor; an admin who edits gets one.
    assert sorted(m["To"] for m in real_mail.messages) == [
        "admin@directory.example", "both@directory.example",
        "editor@lambeth.example", "second@lambeth.example",
    ]
    [editor_mail] = real_mail.to("editor@lambeth.example")
    assert editor_mail["Subject"] == "Someone reported a problem with Brixton chemsex clinic"
    text = text_of(editor_mail)
    assert "What is wrong: Opening times are wrong" in text
    assert "It is closed on Mondays now, not open 9 to 5." in text
    assert "editor of Lambeth Recovery Trust's listings" in text


def test_a_report_never_passes_on_anything_about_the_reporter(client, people, real_mail):
    _report(client, people.service, contact_email=REPORTER,
            message=f"The phone is wrong. Tell me when it is fixed: {REPORTER.upper()}")
    assert db.session.scalar(select(ProblemReport.contact_email)) == REPORTER  # kept for the admins' page
    deliver()
    assert len(real_mail.messages) == 4
    for message in real_mail.messages:
        everything = _everything(message)
        assert REPORTER not in everything and "reporter.private" not in everything
        assert "reply" not in text_of(message).lower()  # not even that they asked for one
        assert "Tell me when it is fixed: [their address, not passed on]" in _text(message)


def test_editors_are_sent_to_their_listing_and_admins_to_the_queue(app, client, people, real_mail):
    _report(client, people.service)
    deliver()
    [to_editor] = real_mail.to("editor@lambeth.example")
    [to_admin] = real_mail.to("admin@directory.example")
    agency_page = f"/agency/services/{people.service.id}"
    assert agency_page in _paths(to_editor)
    assert "/admin/queue" not in text_of(to_editor)
    assert "/admin/queue#reports" in _paths(to_admin)
    # Followed, each link shows the report to the person it was sent to.
    editor_page = signed_in(app.test_client(), people.editor).get(agency_page)
    assert editor_page.status_code == 200 and "closed on Mondays" in editor_page.get_data(as_text=True)
    queue = signed_in(app.test_client(), people.admin).get("/admin/queue")
    assert queue.status_code == 200 and "closed on Mondays" in queue.get_data(as_text=True)


def test_with_no_editor_and_no_admin_the_report_is_kept_and_nobody_is_mailed(client, make, real_mail):
    service = make.service("Unattended clinic", postcode="E8 1DY")
    _report(client, service)
    assert db.session.scalar(select(ProblemReport.message)).startswith("It is closed on Mondays")
    assert db.session.query(OutboxMessage).count() == 0
    assert deliver().sent == 0 and real_mail.messages == []


def test_a_report_that_is_refused_sends_nothing(client, people, real_mail):
    response = client.post(f"/services/{people.service.id}/report", data={"category": "other", "message": ""})
    assert response.status_code == 400
    assert deliver().sent == 0 and real_mail.messages == []


# --- Review outcomes ---------------------------------------------------------------------------


def test_an_approval_tells_the_author_it_is_published_with_the_admins_note(app, people, real_mail):
    revision = _propose(people.service, people.editor, description="Walk-in clinic on Tuesdays.")
    db.session.commit()
    admin = signed_in(app.test_client(), people.admin)
    note = {"note": "Thanks, checked by phone."}
    response = admin.post(f"/admin/revisions/{revision.id}/approve", data=note)
    assert response.status_code == 302
    assert deliver().sent == 1
    [message] = real_mail.messages
    assert message["To"] == "editor@lambeth.example"
    assert message["Subject"] == "Your changes to Brixton chemsex clinic are published"
    text = _text(message)
    assert "approved your changes to Brixton chemsex clinic" in text
    assert "Thanks, checked by phone." in text
    paths = _paths(message)
    assert f"/agency/services/{people.service.id}" in paths
    assert f"/agency/services/{people.service.id}/history" in paths
    history = signed_in(app.test_client(), people.editor).get(f"/agency/services/{people.service.id}/history")
    assert history.status_code == 200


def test_an_approval_without_a_note_says_nothing_of_one(app, people, real_mail):
    revision = _propose(people.service, people.editor, description="New words")
    moderation.approve(revision, people.admin)
    db.session.commit()
    deliver()
    assert "note" not in text_of(real_mail.messages[0]).lower()


def test_a_rejection_tells_the_author_why_and_where_to_try_again(app, people, real_mail):
    revision = _propose(people.service, people.editor, alert="Closed all August")
    db.session.commit()
    admin = signed_in(app.test_client(), people.admin)
    reason = {"reason": "August is wrong: ask them."}
    response = admin.post(f"/admin/revisions/{revision.id}/reject", data=reason)
    assert response.status_code == 302
    deliver()
    [message] = real_mail.messages
    assert (message["To"], message["Subject"]) == (
        "editor@lambeth.example", "Your changes to Brixton chemsex clinic were not published",
    )
    text = _text(message)
    assert "Their reason:\nAugust is wrong: ask them." in text
    assert f"/agency/services/{people.service.id}" in _paths(message)


def test_a_new_service_and_a_closure_are_named_for_what_they_were(app, people, real_mail):
    proposed = moderation.propose_new_service(
        people.org, {**listing.take(people.service), "name": "Stockwell outreach"}, people.second
    )
    closure = moderation.request_closure(
        people.service, "temporarily closed", people.editor, "Refurbishment", people.service.version
    )
    db.session.commit()
    [pending] = moderation.pending_revisions(proposed)
    moderation.approve(pending, people.admin)
    moderation.approve(closure, people.admin)
    db.session.commit()
    deliver()
    [new] = real_mail.to("second@lambeth.example")
    assert new["Subject"] == "Your new service Stockwell outreach is published"
    closed = real_mail.to("editor@lambeth.example")[0]
    assert closed["Subject"] == "Brixton chemsex clinic is now marked closed"
    assert "now says it is temporarily closed" in text_of(closed)


def test_nobody_is_told_of_an_approval_that_published_nothing(app, people, real_mail):
    revision = Revision(
        service_id=people.service.id, number=revisions.next_number(people.service.id), kind="edit",
        status=RevisionStatus.PENDING, snapshot=listing.take(people.service),
        base_version=people.service.version, author_id=people.editor.id, author_label=people.editor.email,
    )
    db.session.add(revision)
    db.session.commit()
    moderation.approve(revision, people.admin)
    db.session.commit()
    assert revision.status == RevisionStatus.WITHDRAWN
    assert deliver().sent == 0 and real_mail.messages == []


def test_a_switched_off_author_or_an_admin_reviewing_their_own_change_gets_nothing(app, people, real_mail):
    mine = _propose(people.service, people.both, alert="Admin's own")
    moderation.approve(mine, people.both)
    theirs = _propose(people.service, people.gone, alert="From a switched-off account")
    moderation.reject(theirs, people.admin, "No longer an editor")
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 0
    assert deliver().sent == 0


def test_a_review_that_is_refused_sends_nothing(app, people, real_mail):
    revision = _propose(people.service, people.editor, alert="Something")
    db.session.commit()
    admin = signed_in(app.test_client(), people.admin)
    admin.post(f"/admin/revisions/{revision.id}/reject", data={"reason": "  "})
    assert db.session.query(OutboxMessage).count() == 0


# --- Network content: events and harm-reduction resources -------------------------------------


def _propose_event(people, **changes):
    join_network(people.org)
    revision = content.propose(events.KIND, None, event_snapshot(people.org, **changes), author=people.editor,
                               organisation_id=people.org.id)
    db.session.commit()
    return revision


def test_an_approved_event_tells_its_proposer_with_the_note_and_its_public_page(app, people, real_mail):
    revision = _propose_event(people, title="Chemsex and HIV care: a pathway meeting")
    admin = signed_in(app.test_client(), people.admin)
    response = admin.post(f"/admin/content/{revision.id}/approve", data={"note": "Added to the calendar."})
    assert response.status_code == 302
    assert deliver().sent == 1
    [message] = real_mail.messages
    assert message["To"] == "editor@lambeth.example"
    # (A subject with quotation marks goes out encoded and folded: the folding space is no part of it.)
    assert message["Subject"].strip() == "Your event “Chemsex and HIV care: a pathway meeting” is published"
    text = _text(message)
    assert "approved the event you proposed" in text and "Added to the calendar." in text
    paths = _paths(message)
    assert f"/network/events/{revision.item_id}" in paths
    # Each link opens for whoever follows it: the public page for anyone, the proposals for the editor.
    assert app.test_client().get(f"/network/events/{revision.item_id}").status_code == 200
    editor = signed_in(app.test_client(), people.editor)
    assert all(editor.get(path).status_code == 200 for path in paths)


def test_a_rejected_event_tells_its_proposer_why_and_where_to_send_it_again(app, people, real_mail):
    revision = _propose_event(people)
    admin = signed_in(app.test_client(), people.admin)
    admin.post(f"/admin/content/{revision.id}/reject", data={"reason": "The date clashes: please check."})
    deliver()
    [message] = real_mail.messages
    assert message["Subject"].strip() == "Your event “Chemsex care pathway meeting” was not published"
    text = _text(message)
    assert "Their reason:\nThe date clashes: please check." in text
    assert "/agency/network" in _paths(message)
    assert "/network/events/" not in "".join(_paths(message))  # nothing public to link to


def test_nobody_is_told_of_their_own_review_of_content_or_a_refused_one(app, people, real_mail):
    join_network(people.org)
    mine = content.propose(events.KIND, None, event_snapshot(people.org), author=people.both,
                           organisation_id=people.org.id)
    content.approve(mine, admin=people.both)
    theirs = _propose_event(people, title="Another meeting")
    admin = signed_in(app.test_client(), people.admin)
    admin.post(f"/admin/content/{theirs.id}/reject", data={"reason": "  "})  # no reason: refused
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 0


# --- The admins' daily summary -----------------------------------------------------------------


def _at(app, moment: datetime):
    app.config["DIRECTORY_NOW"] = moment.isoformat()


def _summaries():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "review-summary")).all()


def test_an_empty_queue_sends_no_summary(app, runner, people, real_mail):
    result = runner.invoke(args=["notify", "review-summary"])
    assert result.exit_code == 0
    assert "Nothing waits for review; no summary sent." in result.output
    assert _summaries() == [] and deliver().sent == 0


def test_the_summary_lists_what_waits_oldest_first_with_links(app, runner, people, make, real_mail):
    newer_service = make.service("Camden drop-in", organisation=people.other)
    old = _propose(people.service, people.editor, alert="Old alert")
    new = _propose(newer_service, people.outsider, alert="New alert")
    old.created_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    new.created_at = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)
    db.session.add(ProblemReport(service_id=people.service.id, category="contact", message="Wrong phone"))
    join_network(people.other)
    content.propose(events.KIND, None, event_snapshot(people.other), author=people.outsider,
                    organisation_id=people.other.id)
    db.session.commit()
    _at(app, datetime(2026, 6, 4, 10, 0, tzinfo=UTC))

    result = runner.invoke(args=["notify", "review-summary"])
    assert result.exit_code == 0, result.output
    assert "Summary staged for 2 admins" in result.output
    assert deliver().sent == 2
    admins = ["admin@directory.example", "both@directory.example"]
    assert sorted(m["To"] for m in real_mail.messages) == admins
    message = real_mail.to("admin@directory.example")[0]
    assert message["Subject"] == (
        "Waiting for review in the directory: 2 changes, 1 problem report, 1 network proposal"
    )
    text = _text(message)
    assert "Thursday 4 June 2026" in text
    first = text.index("Changes: Brixton chemsex clinic (Lambeth Recovery Trust), waiting 3 days")
    second = text.index("Changes: Camden drop-in (Hackney Harm Reduction), waiting 1 day:")
    assert first < second
    assert "Problem reports from the public not yet resolved: 1" in text
    assert "Event: Chemsex care pathway meeting" in text
    paths = _paths(message)
    assert paths.index(f"/admin/revisions/{old.id}") < paths.index(f"/admin/revisions/{new.id}")
    assert "/admin/queue#reports" in paths
    assert "<li>Changes: Brixton chemsex clinic" in html_of(message)
    review = signed_in(app.test_client(), people.admin).get(_paths(message)[1])
    assert review.status_code == 200 and "Old alert" in review.get_data(as_text=True)


def test_the_summary_goes_once_a_london_day(app, runner, people, real_mail):
    _propose(people.service, people.editor, alert="Waiting")
    db.session.commit()
    _at(app, datetime(2026, 7, 1, 6, 0, tzinfo=UTC))
    assert "Summary staged for 2 admins" in runner.invoke(args=["notify", "review-summary"]).output
    assert deliver().sent == 2
    # 23:30 in London (BST) is still the same day: nothing more.
    _at(app, datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    again = runner.invoke(args=["notify", "review-summary"])
    assert again.exit_code == 0 and "summary was already sent to every admin" in again.output
    assert len(_summaries()) == 2 and deliver().sent == 0
    # 00:30 in London is the next day, though it is still 1 July in UTC.
    _at(app, datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert "Summary staged for 2 admins" in runner.invoke(args=["notify", "review-summary"]).output
    assert deliver().sent == 2 and len(real_mail.messages) == 4


def test_an_admin_made_later_in_the_day_still_gets_that_days_summary(app, runner, make, people, real_mail):
    _propose(people.service, people.editor, alert="Waiting")
    db.session.commit()
    _at(app, datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    runner.invoke(args=["notify", "review-summary"])
    make_user(make, "new-admin@directory.example", is_admin=True)
    _at(app, datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    result = runner.invoke(args=["notify", "review-summary"])
    assert "Summary staged for 1 admin;" in result.output
    assert sorted(m.recipient for m in _summaries()) == [
        "admin@directory.example", "both@directory.example", "new-admin@directory.example",
    ]


def test_a_long_queue_lists_the_oldest_and_says_how_many_more(app, runner, make, people, real_mail):
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    for n in range(27):
        service = make.service(f"Clinic {n:02d}", organisation=people.org)
        _propose(service, people.editor, alert=f"Alert {n}").created_at = start + timedelta(hours=n)
    db.session.commit()
    _at(app, datetime(2026, 5, 10, 9, 0, tzinfo=UTC))
    runner.invoke(args=["notify", "review-summary"])
    deliver()
    text = _text(real_mail.to("admin@directory.example")[0])
    assert "Proposed changes to listings (27)" in text
    assert "Clinic 00" in text and "Clinic 24" in text and "Clinic 25" not in text
    assert "And 2 more in the queue." in text
