"""The whole site as the checks over every route see it: its routes, example values, people and forms.

Routes come from the app's url_map, never from a list kept by hand: a new route is checked the day it
is added (or the check says which example value it needs).
"""

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from directory import accounts, capacity, confirmation_links, revisions
from directory.extensions import db
from directory.models import Membership, Organisation, Pathway, ProblemReport, Revision, Service, User
from tests.accounts_helpers import form_values, page, sign_in
from tests.network.helpers import network_values
from tests.resources.helpers import resource_values

# C0 and C1 control characters and DEL: what no text the directory stores may hold.
CONTROL = tuple(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
# Tabs and line breaks belong in text that runs over several lines (a textarea).
CONTROL_NOT_LINES = tuple(c for c in CONTROL if c not in "\t\n\r")
TEXT_INPUTS = {"text", "email", "url", "tel", "password", "search", "time"}


def prepare(world, make):
    """Add to `world` what every page needs to show its forms; return the example path values."""
    # A second published version of A's clinic, so its history offers "restore the first".
    with revisions.recording(kind="edit", author=world.admin, reason="Opening times checked"):
        world.service_a.alert = "Closed on bank holidays"
        db.session.flush()
    _, token = accounts.invite_editor("new-editor@example.org", world.org_b, world.admin, "New editor")
    # The emailed "still accurate" link's page shows its form only for a link that works.
    still_accurate = confirmation_links.issue(world.service_b, world.editor_b)
    # B's page offers "Still the same" and "Stop saying this" only once it has said something.
    capacity.state_capacity(world.service_b, capacity.WAITING_LIST, 4, world.editor_b)
    pathway = Pathway(slug="chemsex", name="Chemsex support")
    db.session.add(pathway)
    db.session.commit()
    return {
        "service_id": world.service_a.id,
        "organisation_id": world.org_a.id,
        "revision_id": world.pending.id,
        "user_id": world.editor_a.id,
        "report_id": world.report.id,
        "slug": pathway.slug,
        "token": token,
        "filename": "css/site.css",
        "org_id": world.org_a.id,
        "sal_id": world.service_a.service_at_locations[0].id,
        "taxonomy_id": "x",
        "term_id": "x",
        "code": "1",  # a short list link (/l/<code>)
        # A's clinic has a change waiting for review, so only B's offers "Still accurate".
        "more_pages": [f"/agency/services/{world.service_b.id}", f"/agency/confirm/{still_accurate}"],
        **network_values(world),  # agency A joins the network, publishes and proposes events
        **resource_values(world),  # and keeps a published harm-reduction resource
    }


def get_rules(app: Flask):
    return sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods), key=lambda r: r.rule)


def post_rules(app: Flask):
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule)


def path_of(rule, values: dict) -> str:
    missing = [name for name in rule.arguments if name not in values]
    assert not missing, f"{rule.rule}: add an example value for {', '.join(missing)} to site.prepare"
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


@dataclass
class FoundForm:
    """A form some page shows, posting to one of the app's POST routes."""

    client: object
    shown_on: str
    action: str
    endpoint: str
    values: MultiDict
    fields: list[tuple[str, str, bool]]  # (name, element id, runs over several lines)


def forms_shown(app: Flask, world, values: dict) -> dict[str, FoundForm]:
    """Visit every GET page, signed out and as an admin; return the first form found for each POST route."""
    anonymous = app.test_client()
    # Signed in through the form, twice: pages about one's sessions show their forms only then.
    admin, elsewhere = app.test_client(), app.test_client()
    for client in (elsewhere, admin):
        assert sign_in(client, world.admin).status_code == 302
    adapter = app.url_map.bind("localhost")
    found: dict[str, FoundForm] = {}
    for client in (anonymous, admin):
        for url in _pages(app, values):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            soup = page(response)
            for index, form in enumerate(soup.select("form")):
                if (form.get("method") or "get").lower() != "post":
                    continue
                action = urlsplit(urljoin(url, form.get("action") or url)).path
                try:
                    endpoint, _ = adapter.match(action, method="POST")
                except HTTPException as exc:
                    raise AssertionError(f"{url} has a form posting to {action}: {exc}") from exc
                if endpoint in found:
                    continue
                form["data-found"] = str(index)
                fields = [
                    (element["name"], element.get("id", ""), element.name == "textarea")
                    for element in form.select("input, textarea")
                    if element.get("name")
                    and (element.name == "textarea" or (element.get("type") or "text").lower() in TEXT_INPUTS)
                ]
                found[endpoint] = FoundForm(
                    client, url, action, endpoint, form_values(soup, f"form[data-found='{index}']"), fields
                )
    return found


def _pages(app: Flask, values: dict):
    """Every GET page with the example values, then `more_pages`: ones showing a form only in some state."""
    for rule in get_rules(app):
        if rule.endpoint != "static" and not rule.rule.startswith("/api/"):
            yield path_of(rule, values)
    yield from values.get("more_pages", ())


def what_is_stored():
    """Return what a refused form must leave as it was: every revision's and report's state, and counts."""
    return (
        db.session.execute(select(Revision.id, Revision.status, Revision.review_note)).all(),
        db.session.execute(select(ProblemReport.id, ProblemReport.status)).all(),
        db.session.execute(select(User.id, User.is_active, User.is_admin, User.password_hash)).all(),
        [db.session.scalar(select(func.count()).select_from(m)) for m in (Service, Organisation, Membership)],
    )
