"""Who may do what with network content: a role-by-endpoint matrix, as for listings, and its effects."""

import pytest
from flask import url_for

from directory.extensions import db
from directory.models import RevisionStatus
from tests.accounts_helpers import make_user, page, signed_in
from tests.network.helpers import network_values, propose_event

# (endpoint, method): every network route in the agency and admin areas.
AGENCY = [
    ("agency.network_content", "GET"),
    ("agency.propose_event", "GET"),
    ("agency.propose_event", "POST"),
    ("agency.propose_event_change", "GET"),
    ("agency.propose_event_change", "POST"),
    ("agency.withdraw_content", "POST"),
    ("agency.content_history", "GET"),
]
ADMIN = [
    ("admin.content_revision", "GET"),
    ("admin.approve_content", "POST"),
    ("admin.reject_content", "POST"),
    ("admin.network", "GET"),
    ("admin.network", "POST"),
    ("admin.network_membership", "POST"),
    ("admin.add_event", "GET"),
    ("admin.add_event", "POST"),
    ("admin.edit_event", "GET"),
    ("admin.edit_event", "POST"),
]
# Routes naming one of agency A's items: an editor of B must be refused them.
NAMES_AN_ITEM = {"agency.propose_event_change", "agency.withdraw_content", "agency.content_history"}


def test_the_matrix_covers_every_network_route(app):
    listed = {endpoint for endpoint, _ in AGENCY + ADMIN}
    network_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("agency.", "admin."))
        and any(word in rule.rule for word in ("/network", "/content/"))
    }
    assert network_routes == listed


@pytest.fixture
def urls(app, world):
    values = network_values(world)
    arguments = {
        "event_id": values["event_id"],
        "content_revision_id": values["content_revision_id"],
        "kind_name": "event",
        "item_id": values["item_id"],
        "organisation_id": world.org_a.id,
    }
    with app.test_request_context():
        built = {}
        for endpoint, _ in AGENCY + ADMIN:
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            built[endpoint] = url_for(endpoint, **{a: arguments[a] for a in rule.arguments})
    return built


def _request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("endpoint", "method"), AGENCY + ADMIN)
def test_anonymous_is_sent_to_sign_in(app, urls, endpoint, method):
    response = _request(app.test_client(), method, urls[endpoint])
    assert response.status_code == 302 and "/account/sign-in" in response.location


@pytest.mark.parametrize(("endpoint", "method"), AGENCY + ADMIN)
def test_an_editor_of_another_organisation_is_refused_what_is_not_theirs(app, world, urls, endpoint, method):
    client = signed_in(app.test_client(), world.editor_b)
    response = _request(client, method, urls[endpoint])
    if endpoint.startswith("admin.") or endpoint in NAMES_AN_ITEM:
        assert response.status_code == 403, f"{endpoint} let another agency's editor in"
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("endpoint", "method"), AGENCY + ADMIN)
def test_the_members_editor_reaches_agency_pages_but_not_admin_ones(app, world, urls, endpoint, method):
    client = signed_in(app.test_client(), world.editor_a)
    response = _request(client, method, urls[endpoint])
    if endpoint.startswith("admin."):
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302, 400), response.status_code
        assert "/account/sign-in" not in (response.location or "")


@pytest.mark.parametrize(("endpoint", "method"), AGENCY + ADMIN)
def test_admin_reaches_every_network_route(app, world, urls, endpoint, method):
    client = signed_in(app.test_client(), world.admin)
    response = _request(client, method, urls[endpoint])
    assert response.status_code in (200, 302, 400), f"{endpoint}: {response.status_code}"


def test_an_editor_sees_only_their_own_organisations_proposals(app, world, make):
    network_values(world)
    other = make_user(make, "other-a@example.org", organisations=[world.org_a])
    mine = page(signed_in(app.test_client(), other).get("/agency/network")).get_text()
    theirs = page(signed_in(app.test_client(), world.editor_b).get("/agency/network")).get_text()
    assert "Proposed network event" in mine  # a colleague's proposal: same organisation
    assert "Proposed network event" not in theirs


def test_an_editor_outside_the_network_is_told_why_they_cannot_propose(app, world):
    client = signed_in(app.test_client(), world.editor_b)
    text = page(client.get("/agency/network/events/new")).get_text(" ", strip=True)
    assert "Only editors of a network member organisation can propose events" in text
    assert page(client.get("/agency/network/events/new")).select_one("form.event-form") is None


def test_another_organisations_editor_cannot_withdraw_or_approve(app, world):
    network_values(world)
    revision = propose_event(world, title="Kept waiting")
    client = signed_in(app.test_client(), world.editor_b)
    assert client.post(f"/agency/network/proposals/{revision.id}/withdraw").status_code == 403
    own = signed_in(app.test_client(), world.editor_a)
    assert own.post(f"/admin/content/{revision.id}/approve").status_code == 403
    db.session.refresh(revision)
    assert revision.status == RevisionStatus.PENDING
