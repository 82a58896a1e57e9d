"""Authorization on every agency and admin route: a meta-test and a role-by-endpoint matrix."""

import pytest
from flask import url_for

from directory import create_app
from directory.permissions import ADMIN, AGENCY, SIGNED_LINK
from tests.accounts_helpers import signed_in
from tests.conftest import TestConfig
from tests.network.helpers import network_values
from tests.resources.helpers import resource_values

PROTECTED = ("agency.", "admin.")
# The only pages a signed link opens without sign-in; a new one must be added here on purpose.
SIGNED_LINK_PAGES = {"agency.confirm", "agency.confirm_still_accurate"}


def _endpoints():
    app = create_app(TestConfig)
    rules = []
    for rule in app.url_map.iter_rules():
        # A signed link's pages are checked link by link (tests/agency/test_confirmation_links.py).
        signed_link = getattr(app.view_functions[rule.endpoint], "permission", None) == SIGNED_LINK
        if rule.endpoint.startswith(PROTECTED) and not signed_link:
            method = "GET" if "GET" in rule.methods else "POST"
            rules.append((rule.endpoint, method, tuple(sorted(rule.arguments))))
    return sorted(rules)


ENDPOINTS = _endpoints()


def test_there_are_agency_and_admin_endpoints_to_check():
    names = {endpoint for endpoint, _, _ in ENDPOINTS}
    assert {
        "agency.dashboard",
        "agency.edit_service",
        "admin.queue",
        "admin.approve",
        "admin.audit_log",
    } <= names


def test_every_agency_and_admin_view_carries_a_role_decorator(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(PROTECTED):
            continue
        wanted = ADMIN if rule.endpoint.startswith("admin.") else AGENCY
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission != wanted and not (permission == SIGNED_LINK and rule.endpoint in SIGNED_LINK_PAGES):
            missing.append(rule.endpoint)
    assert missing == [], f"views without @{wanted}_required: {missing}"


def _url(world, endpoint, arguments):
    values = {
        "service_id": world.service_a.id,
        "revision_id": world.pending.id,
        "organisation_id": world.org_a.id,
        "user_id": world.editor_a.id,
        "report_id": world.report.id,
    }
    if {"event_id", "content_revision_id", "item_id"} & set(arguments):
        values.update(network_values(world))  # agency A joins the network, publishes and proposes events
    if "resource_id" in arguments:
        values.update(resource_values(world))  # agency A joins the network and keeps a published resource
    unknown = set(arguments) - set(values)
    assert not unknown, f"teach the matrix test about {unknown}"
    return url_for(endpoint, **{a: values[a] for a in arguments})


def _request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_anonymous_is_sent_to_sign_in(app, world, endpoint, method, arguments):
    with app.test_request_context():
        url = _url(world, endpoint, arguments)
    response = _request(app.test_client(), method, url)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert "/account/sign-in" in response.location


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_another_agencys_editor_is_refused(app, world, endpoint, method, arguments):
    with app.test_request_context():
        url = _url(world, endpoint, arguments)
    client = app.test_client()
    signed_in(client, world.editor_b)
    response = _request(client, method, url)
    if endpoint.startswith("admin.") or arguments:
        assert response.status_code in (403, 404), f"{endpoint} let another agency's editor in"
    else:
        # No object in the URL: the page shows only the editor's own listings (checked elsewhere).
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_the_owning_editor_reaches_agency_pages_but_not_admin_ones(app, world, endpoint, method, arguments):
    with app.test_request_context():
        url = _url(world, endpoint, arguments)
    client = app.test_client()
    signed_in(client, world.editor_a)
    response = _request(client, method, url)
    if endpoint.startswith("admin."):
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302), response.status_code
        assert "/account/sign-in" not in (response.location or "")


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_admin_reaches_every_endpoint(app, world, endpoint, method, arguments):
    with app.test_request_context():
        url = _url(world, endpoint, arguments)
    client = app.test_client()
    signed_in(client, world.admin)
    response = _request(client, method, url)
    assert response.status_code in (200, 302, 400), f"{endpoint}: {response.status_code}"
    assert "/account/sign-in" not in (response.location or "")


def test_an_editor_sees_only_their_own_organisations_listings(app, world):
    client = app.test_client()
    signed_in(client, world.editor_b)
    text = client.get("/agency/").get_data(as_text=True)
    assert "B&#39;s clinic" in text and "A&#39;s clinic" not in text
