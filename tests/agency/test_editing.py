"""Editing a listing: the form round-trips every listing, validates beside each field, keeps input."""

import pytest
from sqlalchemy import select

from directory import listing, revisions
from directory.extensions import db
from directory.models import Revision, RevisionStatus, Service
from tests.accounts_helpers import error_for, form_values, page, sign_in, signed_in


def test_every_seeded_listing_round_trips_through_the_form_unchanged(seeded_app, make):
    services = db.session.scalars(select(Service)).all()
    admin = make.user("admin@example.org", is_admin=True)
    client = seeded_app.test_client()
    sign_in(client, admin)
    for service in services:
        form = client.get(f"/agency/services/{service.id}/edit")
        assert form.status_code == 200
        response = client.post(f"/agency/services/{service.id}/edit", data=form_values(form, submit="save"))
        assert response.status_code == 302, (
            service.name,
            [e.text for e in page(response).select(".error-message")],
        )
    pending = db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all()
    assert pending == [], f"a save with no edits proposed a change: {[r.service.name for r in pending]}"


@pytest.fixture
def editing(app, world):
    """An editor of agency A with the edit form of A's clinic open."""
    client = signed_in(app.test_client(), world.editor_a)
    # Start from the published listing: the world's pending change is someone else's, withdraw it.
    world.pending.status = RevisionStatus.WITHDRAWN
    db.session.commit()
    url = f"/agency/services/{world.service_a.id}/edit"
    return client, url, form_values(client.get(url), submit="save")


def _set(form, values):
    """Type into fields (replacing what a MultiDict would otherwise add to)."""
    for key, value in values.items():
        form.setlist(key, [value])


def _post(client, url, form):
    response = client.post(url, data=form)
    return response, page(response)


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"locations-0-postcode": "SW1A 1ZZZ"}, "locations-0-postcode", "is not a UK postcode"),
        ({"locations-0-postcode": "M1 1AE"}, "locations-0-postcode", "not a London postcode"),
        ({"locations-0-postcode": "SW9"}, "locations-0-postcode", "full postcode"),
        ({"minimum_age": "30", "maximum_age": "18"}, "maximum_age", "must not be below the minimum age"),
        ({"minimum_age": "eighteen"}, "minimum_age", "integer"),
        ({"url": "www.example.org"}, "url", "starting with https://"),
        ({"email": "clinic at nhs"}, "email", "Enter an email address"),
        ({"name": "  "}, "name", "Enter the name"),
        ({"catchment": "boroughs"}, "catchment_boroughs", "Tick the boroughs"),
        ({"phones-0-number": "0800 123"}, "phones-0-number", "UK phone number"),
        (
            {
                "locations-0-sessions-1-weekday": "0",
                "locations-0-sessions-1-opens_at": "10:00",
                "locations-0-sessions-1-closes_at": "12:00",
            },
            "locations-0-sessions-1-opens_at",
            "overlaps Monday 09:00–17:00",
        ),
        (
            {
                "locations-0-sessions-1-weekday": "2",
                "locations-0-sessions-1-opens_at": "10:00",
                "locations-0-sessions-1-closes_at": "10:00",
            },
            "locations-0-sessions-1-closes_at",
            "same as the opening time",
        ),
        (
            {
                "locations-0-sessions-1-weekday": "2",
                "locations-0-sessions-1-opens_at": "25:00",
                "locations-0-sessions-1-closes_at": "26:00",
            },
            "locations-0-sessions-1-opens_at",
            "24-hour clock",
        ),
        ({"locations-0-sessions-1-opens_at": "10:00"}, "locations-0-sessions-1-weekday", "Choose the day"),
        (
            {"locations-0-address_1": "", "locations-0-postcode": ""},
            "locations-0-address_1",
            "address or the postcode",
        ),
    ],
)
def test_a_mistake_is_shown_beside_its_field_and_everything_typed_is_kept(
    editing, changes, field_id, message
):
    client, url, form = editing
    form["description"] = "A description typed before the mistake"
    for key, value in changes.items():
        form[key] = value
    response, soup = _post(client, url, form)
    assert response.status_code == 200
    assert message in error_for(soup, field_id)
    assert (
        soup.select_one(f"#{field_id}")["aria-invalid"] == "true"
        if soup.select_one(f"#{field_id}").name != "div"
        else True
    )
    assert any(message in a.get_text() for a in soup.select(".error-summary a")), "listed in the summary too"
    assert soup.select_one("#description").text.strip() == "A description typed before the mistake"
    kept = form_values(soup, submit="save")
    for key, value in changes.items():
        if key != "catchment":
            assert kept.get(key, "") == value, key
    assert db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all() == []


def test_overnight_sessions_and_several_sessions_a_day_are_fine(editing, world):
    client, url, form = editing
    _set(
        form,
        {
            "locations-0-sessions-1-weekday": "0",
            "locations-0-sessions-1-opens_at": "18:00",
            "locations-0-sessions-1-closes_at": "20:00",
            "locations-0-sessions-2-weekday": "4",
            "locations-0-sessions-2-opens_at": "22:00",
            "locations-0-sessions-2-closes_at": "02:00",
            "locations-0-sessions-2-note": "overnight outreach",
        },
    )
    response, _ = _post(client, url, form)
    assert response.status_code == 302
    revision = db.session.scalar(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    assert revision.snapshot["locations"][0]["schedules"] == [
        {"weekday": 0, "opens_at": "09:00", "closes_at": "17:00", "note": ""},
        {"weekday": 0, "opens_at": "18:00", "closes_at": "20:00", "note": ""},
        {"weekday": 4, "opens_at": "22:00", "closes_at": "02:00", "note": "overnight outreach"},
    ]
    assert revision.base_version == world.service_a.version
    assert world.service_a.service_at_locations[0].schedules[0].closes_at.strftime("%H:%M") == "17:00"


def test_locations_can_be_added_and_removed_without_javascript(editing, world):
    client, url, form = editing
    form.pop("save")
    form["add_location"] = "y"
    form["name"] = "Typed before adding"
    response, soup = _post(client, url, form)
    assert response.status_code == 200 and soup.select_one("#name")["value"] == "Typed before adding"
    assert len(soup.select("fieldset.location")) == 2
    form = form_values(soup, submit="save")
    _set(
        form,
        {
            "locations-1-location_type": "virtual",
            "locations-1-address_1": "",
            "locations-1-url": "https://chat.example.org",
            "locations-0-remove": "y",
        },
    )
    response, soup = _post(client, url, form)
    assert response.status_code == 302, [e.text for e in soup.select(".error-message")]
    revision = db.session.scalar(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    [location] = revision.snapshot["locations"]
    assert location["location_type"] == "virtual" and location["url"] == "https://chat.example.org"
    assert location["id"] is None


def test_a_location_id_from_another_agency_cannot_be_smuggled_in(editing, world):
    client, url, form = editing
    form["locations-0-id"] = world.service_b.service_at_locations[0].location_id
    assert client.post(url, data=form).status_code == 302
    revision = db.session.scalar(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    assert revision.snapshot["locations"][0]["id"] is None, "treated as a new location of A's own"


def test_a_second_editor_saving_over_a_newer_version_is_refused_with_the_changes_shown(app, editing, world):
    client, url, form = editing
    # Meanwhile an admin publishes a change to the same listing.
    from directory import moderation

    data = {**listing.take(world.service_a), "description": "Now with a Friday clinic"}
    proposal = moderation.propose_change(
        world.service_a, data, world.admin, base_version=world.service_a.version
    )
    moderation.approve(proposal, world.admin)

    form["name"] = "My rename"
    response, soup = _post(client, url, form)
    assert response.status_code == 200
    assert "Someone else changed this listing" in soup.get_text()
    rows = {
        r.th.get_text(strip=True): r.select("td")[1].get_text(strip=True)
        for r in soup.select(".conflict tbody tr")
    }
    assert rows == {"Description": "Now with a Friday clinic"}
    assert soup.select_one("#name")["value"] == "My rename", "the editor's typing is kept"
    assert db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all() == []
    # Having seen the changes, saving again is deliberate and goes through.
    response, _ = _post(client, url, form_values(soup, submit="save"))
    assert response.status_code == 302


def test_a_proposal_made_while_another_editor_had_the_form_open_is_not_overwritten(app, make, editing, world):
    client, url, form = editing
    colleague = signed_in(app.test_client(), make.user("colleague@example.org", organisations=[world.org_a]))
    theirs = form_values(colleague.get(url), submit="save")
    theirs["alert"] = "Closed next Monday"
    assert colleague.post(url, data=theirs).status_code == 302
    form["name"] = "My rename"
    response, soup = _post(client, url, form)
    assert "Someone else changed this listing" in soup.get_text()
    assert "Closed next Monday" in soup.select_one(".conflict").get_text()
    pending = db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all()
    assert [r.snapshot["alert"] for r in pending] == ["Closed next Monday"]


def test_still_accurate_records_who_and_when_without_a_revision(editing, world):
    client, _, _ = editing
    before = len(revisions.history(world.service_a))
    assert client.post(f"/agency/services/{world.service_a.id}/verify").status_code == 302
    db.session.expire_all()
    service = db.session.get(Service, world.service_a.id)
    assert service.verified_by_id == world.editor_a.id and service.verified_at is not None
    assert len(revisions.history(service)) == before


def test_an_editor_proposes_a_new_service_that_stays_hidden_until_approved(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    form = form_values(client.get("/agency/services/new"), submit="save")
    _set(
        form,
        {
            "name": "Peer support group",
            "service_types": "peer-support",
            "locations-0-address_1": "2 Test Road",
            "locations-0-postcode": "SW9 8BS",
            "reason": "We started this in May",
        },
    )
    response = client.post("/agency/services/new", data=form)
    assert response.status_code == 302, [e.text for e in page(response).select(".error-message")]
    service = db.session.scalar(select(Service).where(Service.name == "Peer support group"))
    assert service.organisation_id == world.org_a.id and not service.is_published
    assert app.test_client().get(f"/services/{service.id}").status_code == 404
    [proposal] = [r for r in revisions.history(service) if r.status == RevisionStatus.PENDING]
    assert proposal.kind == "proposal"
    admin = signed_in(app.test_client(), world.admin)
    assert admin.post(f"/admin/revisions/{proposal.id}/approve").status_code == 302
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert service.is_published and service.service_at_locations[0].location.postcode == "SW9 8BS"
    assert app.test_client().get(f"/services/{service.id}").status_code == 200


def test_an_editor_cannot_propose_a_service_for_another_agency(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    form = form_values(client.get("/agency/services/new"), submit="save")
    _set(form, {"name": "Sneaky", "service_types": "peer-support", "organisation_id": world.org_b.id})
    response = client.post("/agency/services/new", data=form)
    assert response.status_code == 200 and "Not a valid choice" in page(response).get_text()
    assert db.session.scalar(select(Service).where(Service.name == "Sneaky")) is None


def test_asking_to_close_a_service_and_seeing_a_rejection_reason(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    url = f"/agency/services/{world.service_a.id}/close"
    missing = client.post(url, data=form_values(client.get(url), selector="main form.narrow"))
    assert "Choose whether" in page(missing).get_text()
    form = form_values(client.get(url), selector="main form.narrow")
    _set(form, {"status": "defunct", "reason": "Funding ended in March"})
    assert client.post(url, data=form).status_code == 302
    closure = db.session.scalar(select(Revision).where(Revision.kind == "closure"))
    assert closure.status == RevisionStatus.PENDING and closure.snapshot["status"] == "defunct"
    assert world.service_a.status == "active"

    admin = signed_in(app.test_client(), world.admin)
    empty = admin.post(f"/admin/revisions/{closure.id}/reject", data={"reason": ""})
    assert empty.status_code == 400 and "Say why" in page(empty).get_text()
    admin.post(
        f"/admin/revisions/{closure.id}/reject", data={"reason": "Please confirm with the commissioner first"}
    )
    shown = page(client.get(f"/agency/services/{world.service_a.id}"))
    assert "Please confirm with the commissioner first" in shown.select_one(".panel-error").get_text()
    dashboard = page(client.get("/agency/"))
    assert "Change rejected" in dashboard.get_text()


def test_an_editor_can_withdraw_their_pending_change(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    assert client.post(f"/agency/revisions/{world.pending.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Revision, world.pending.id).status == RevisionStatus.WITHDRAWN
