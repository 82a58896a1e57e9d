"""Through the pages: an editor proposes an event, an admin reviews it; membership and the join contact."""

from datetime import date, datetime

from sqlalchemy import select

from directory.extensions import db
from directory.models import ContentRevision, Event, RevisionStatus
from directory.moderation import content
from directory.network import events
from tests.accounts_helpers import error_for, form_values, page, signed_in
from tests.network.helpers import propose_event, published_event

FORM = "form.event-form"


def _fill(response, **fields):
    values = form_values(response, FORM)
    for name, value in fields.items():
        values.setlist(name, [value])
    return values


def _new_event(**fields):
    return {
        "title": "Training: chemsex and consent",
        "start_date": "2026-10-31",
        "start_time": "18:00",
        "end_time": "20:00",
        "place": "56 Dean Street, London",
        "audience": "Frontline staff",
        "description": "An evening session.",
        **fields,
    }


def test_an_editor_proposes_an_event_which_waits_for_review(app, network):
    client = signed_in(app.test_client(), network.editor_a)
    form = client.get("/agency/network/events/new")
    response = client.post("/agency/network/events/new", data=_fill(form, **_new_event()))
    assert response.status_code == 302
    revision = db.session.scalar(select(ContentRevision))
    assert revision.status == RevisionStatus.PENDING and revision.organisation_id == network.org_a.id
    starts = events.in_london(datetime.fromisoformat(revision.snapshot["starts_at"]))
    assert (starts.hour, starts.minute) == (18, 0)  # typed in London time, whatever the season
    mine = (
        page(client.get("/agency/network")).select_one(f"#proposal-{revision.id}").get_text(" ", strip=True)
    )
    assert "Waiting for review" in mine and "Training: chemsex and consent" in mine
    assert "Training" not in page(app.test_client().get("/network/events")).select_one("main").get_text()


def test_wrong_dates_and_times_are_explained_beside_their_fields(app, network):
    client = signed_in(app.test_client(), network.editor_a)
    form = client.get("/agency/network/events/new")
    cases = [
        ({"start_date": "31st of October"}, "start_date", "Enter a date like"),
        ({"start_time": "6pm"}, "start_time", "24-hour clock"),
        ({"end_time": "17:00"}, "end_time", "must end after it starts"),
        ({"end_time": ""}, "end_time", "Give an end time too"),
        (
            {"start_date": "2027-03-28", "start_time": "01:30", "end_time": "03:00"},
            "start_time",
            "clocks go forward",
        ),
        ({"title": ""}, "title", "Enter the event's title"),
        ({"place": "", "is_online": ""}, "place", "or tick that it is held online"),
        ({"registration_url": "ftp://example.org"}, "registration_url", ""),
    ]
    for changes, field, message in cases:
        values = _fill(form, **_new_event(**changes))
        if changes.get("is_online") == "":
            values.poplist("is_online")
        response = client.post("/agency/network/events/new", data=values)
        assert response.status_code == 200, changes
        shown = error_for(page(response), field)
        assert shown and message in shown, (changes, shown)
    assert db.session.scalar(select(ContentRevision)) is None


def test_an_admin_rejects_with_a_reason_the_editor_then_sees(app, network):
    revision = propose_event(network, title="Too vague")
    admin = signed_in(app.test_client(), network.admin)
    queue = page(admin.get("/admin/queue")).select_one("#content").find_next("ul")
    assert queue.select_one(f'a[href="/admin/content/{revision.id}"]') is not None
    refused = admin.post(f"/admin/content/{revision.id}/reject", data={"reason": ""})
    assert refused.status_code == 400 and error_for(page(refused), "reason")
    assert (
        admin.post(f"/admin/content/{revision.id}/reject", data={"reason": "Add a venue"}).status_code == 302
    )
    editor = signed_in(app.test_client(), network.editor_a)
    row = page(editor.get("/agency/network")).select_one(f"#proposal-{revision.id}").get_text(" ", strip=True)
    assert "Rejected" in row and "Add a venue" in row


def test_an_admin_approves_and_the_event_is_public(app, network):
    revision = propose_event(network, title="Approved meeting", day=date(2099, 5, 1))
    admin = signed_in(app.test_client(), network.admin)
    review = page(admin.get(f"/admin/content/{revision.id}"))
    rows = {
        tr.th.get_text(" ", strip=True): tr.select("td")[1].get_text(strip=True)
        for tr in review.select("tbody tr")
    }
    assert rows["Title"] == "Approved meeting"
    assert rows["Starts"] == "Friday 1 May 2099, 18:00 (London)"
    assert admin.post(f"/admin/content/{revision.id}/approve", data={"note": ""}).status_code == 302
    public = page(app.test_client().get("/network/events"))
    assert [a.get_text() for a in public.select("#upcoming ~ ul a")][:1] == ["Approved meeting"]


def test_an_editor_proposes_a_change_to_a_published_event_and_withdraws_it(app, network):
    event = published_event(network, title="Summer meeting", day=date(2099, 7, 1))
    client = signed_in(app.test_client(), network.editor_a)
    form = client.get(f"/agency/network/events/{event.id}/edit")
    values = form_values(form, FORM)
    assert (values["start_date"], values["start_time"], values["end_time"]) == (
        "2099-07-01",
        "18:00",
        "20:00",
    )
    values.setlist("title", ["Summer meeting (moved)"])
    assert client.post(f"/agency/network/events/{event.id}/edit", data=values).status_code == 302
    assert db.session.get(Event, event.id).title == "Summer meeting"  # unchanged until approved
    revision = content.pending()[0]
    assert revision.action == "edit"
    assert client.post(f"/agency/network/proposals/{revision.id}/withdraw").status_code == 302
    db.session.refresh(revision)
    assert revision.status == RevisionStatus.WITHDRAWN
    history = page(client.get(f"/agency/network/event/{event.id}/history"))
    titles = [h.get_text(" ", strip=True) for h in history.select(".history-entry h2")]
    assert titles == ["Revision 2: Change proposed Withdrawn", "Revision 1: Changed by an admin Published"]


def test_an_admin_sets_membership_and_an_editor_can_then_propose(app, world):
    admin = signed_in(app.test_client(), world.admin)
    url = f"/admin/organisations/{world.org_b.id}/network"
    admin.post(url, data={"member_since": "2999-01-01"})
    assert world.org_b.network_member_since is None  # a date in the future is refused
    assert admin.post(url, data={"member_since": "2019-03-01"}).status_code == 302
    db.session.refresh(world.org_b)
    assert world.org_b.network_member_since == date(2019, 3, 1)
    editor = signed_in(app.test_client(), world.editor_b)
    assert page(editor.get("/agency/network/events/new")).select_one(FORM) is not None
    admin.post(url, data={"member_since": ""})
    db.session.refresh(world.org_b)
    assert world.org_b.network_member_since is None


def test_an_admin_sets_the_join_contact_shown_on_the_network_page(app, world):
    admin = signed_in(app.test_client(), world.admin)
    refused = admin.post("/admin/network", data={"join_email": "not an address", "join_details": ""})
    assert refused.status_code == 400 and error_for(page(refused), "join_email")
    admin.post("/admin/network", data={"join_email": "network@example.org", "join_details": "Write to us."})
    public = page(app.test_client().get("/network/"))
    assert public.select_one('#join ~ p a[href="mailto:network@example.org"]') is not None


def test_an_admins_own_event_is_published_at_once_with_a_revision(app, world):
    admin = signed_in(app.test_client(), world.admin)
    form = admin.get("/admin/network/events/new")
    values = _fill(form, **_new_event(title="Admin's event", start_time="", end_time="", organisation=""))
    response = admin.post("/admin/network/events/new", data=values)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.is_published and event.all_day and event.organisation_id is None
    assert [r.action for r in content.history(events.KIND, event.id)] == ["admin"]
    assert "(time not recorded)" in page(app.test_client().get(response.location)).get_text()


def test_a_rejected_new_event_can_be_corrected_and_sent_again(app, network):
    revision = propose_event(network, title="Needs a venue")
    content.reject(revision, admin=network.admin, note="Which room?")
    db.session.commit()
    client = signed_in(app.test_client(), network.editor_a)
    row = page(client.get("/agency/network")).select_one(f"#proposal-{revision.id}")
    again = row.find("a", string="Correct and send again")
    form = client.get(again["href"])
    values = form_values(form, FORM)
    values.setlist("place", ["Room 2, Camden Town Hall"])
    assert client.post(again["href"], data=values).status_code == 302
    event = db.session.get(Event, revision.item_id)
    assert event.status == "pending"
    assert [(r.action, r.status) for r in content.history(events.KIND, event.id)] == [
        ("proposal", RevisionStatus.REJECTED),
        ("proposal", RevisionStatus.PENDING),
    ]


def test_the_admin_dashboard_counts_network_proposals(app, network):
    propose_event(network)
    admin = signed_in(app.test_client(), network.admin)
    figures = page(admin.get("/admin/")).select_one(".figures").get_text(" ", strip=True)
    assert "1 network proposal (events, resources) waiting for review" in figures
