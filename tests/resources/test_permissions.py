"""Who may reach the resource pages: the same role-by-endpoint matrix as the listings'."""

import pytest
from flask import url_for

from directory.extensions import db
from directory.models import Resource
from directory.permissions import AGENCY
from tests.accounts_helpers import signed_in
from tests.resources.helpers import join_network, published_resource, resource_snapshot

AGENCY_ENDPOINTS = [
    ("agency.resources", "GET"),
    ("agency.propose_resource", "GET"),
    ("agency.propose_resource", "POST"),
    ("agency.propose_resource_change", "GET"),
    ("agency.propose_resource_change", "POST"),
]
IDS = [f"{e} {m}" for e, m in AGENCY_ENDPOINTS]


@pytest.fixture
def kept(network):
    """A published resource kept by agency A, and one by agency B (also a member)."""
    join_network(network.org_b)
    return published_resource(network, name="A's card"), published_resource(network, name="B's card",
                                                                              organisation_id=network.org_b.id)


def _url(endpoint, resource):
    arguments = {"resource_id": resource.id} if endpoint.endswith("_change") else {}
    return url_for(endpoint, **arguments)


def _send(client, method, url):
    if method == "GET":
        return client.get(url)
    data = resource_snapshot(None, name="Changed by someone")
    return client.post(url, data={k: v for k, v in data.items() if isinstance(v, str)})


def test_every_resource_agency_route_carries_the_agency_decorator(app):
    for rule in app.url_map.iter_rules():
        if "resource" in rule.endpoint and rule.endpoint.startswith("agency."):
            assert getattr(app.view_functions[rule.endpoint], "permission", None) == AGENCY, rule.endpoint
    assert {e for e, _ in AGENCY_ENDPOINTS} <= set(app.view_functions)


@pytest.mark.parametrize(("endpoint", "method"), AGENCY_ENDPOINTS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(app, kept, endpoint, method):
    with app.test_request_context():
        url = _url(endpoint, kept[0])
    response = _send(app.test_client(), method, url)
    assert response.status_code == 302 and "/account/sign-in" in response.location


@pytest.mark.parametrize(("endpoint", "method"), AGENCY_ENDPOINTS, ids=IDS)
def test_another_agencys_editor_cannot_touch_a_resource(app, network, kept, endpoint, method):
    with app.test_request_context():
        url = _url(endpoint, kept[0])
    response = _send(signed_in(app.test_client(), network.editor_b), method, url)
    if endpoint.endswith("_change"):
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)
    assert db.session.get(Resource, kept[0].id).name == "A's card"


@pytest.mark.parametrize(("endpoint", "method"), AGENCY_ENDPOINTS, ids=IDS)
def test_the_owning_editor_reaches_every_page(app, network, kept, endpoint, method):
    with app.test_request_context():
        url = _url(endpoint, kept[0])
    response = _send(signed_in(app.test_client(), network.editor_a), method, url)
    assert response.status_code in (200, 302)
    assert "/account/sign-in" not in (response.location or "")


@pytest.mark.parametrize(("endpoint", "method"), AGENCY_ENDPOINTS, ids=IDS)
def test_an_admin_reaches_every_page(app, network, kept, endpoint, method):
    with app.test_request_context():
        url = _url(endpoint, kept[1])
    response = _send(signed_in(app.test_client(), network.admin), method, url)
    assert response.status_code in (200, 302, 400)
    assert "/account/sign-in" not in (response.location or "")


def test_a_public_page_needs_no_sign_in_but_shows_only_published_resources(app, network, kept):
    client = app.test_client()
    assert client.get(f"/resources/{kept[0].id}").status_code == 200
    kept[0].status = "pending"
    db.session.commit()
    assert client.get(f"/resources/{kept[0].id}").status_code == 404
