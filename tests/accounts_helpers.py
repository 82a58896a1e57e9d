"""People for the signed-in areas (agency, admin, auth): sign-in helpers, a browser-like form reader, `world`.

The fixtures here are imported by each area's conftest.py, so the tests of all three share one
definition of who the editors and admins are.
"""

import contextlib
import functools
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from directory import listing, moderation, revisions
from directory.extensions import db, limiter
from directory.models import ProblemReport, Revision, RevisionStatus

PASSWORD = "correct horse battery staple"


def sign_in(client, user_or_email, password=PASSWORD):
    """Sign in through the real form; return the response."""
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/account/sign-in", data={"email": email, "password": password})


@functools.cache
def password_hash(password=PASSWORD) -> str:
    """Hash once per run: scrypt is slow on purpose, and tests make many users."""
    return generate_password_hash(password, method="scrypt")


def make_user(make, email, **kwargs):
    """Create a user whose password is PASSWORD, without paying for a hash each time."""
    user = make.user(email, password=None, **kwargs)
    user.password_hash = password_hash()
    db.session.commit()
    return user


def signed_in(client, user):
    """Start a session for `user` directly (the sign-in form itself is tested in test_accounts)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def form_values(response_or_soup, selector="form.listing-form", submit=None) -> MultiDict:
    """Return what a browser would send for a form as it is shown (with `submit` as the button pressed)."""
    soup = response_or_soup if isinstance(response_or_soup, BeautifulSoup) else page(response_or_soup)
    form = soup.select_one(selector)
    assert form is not None, f"no form matches {selector}"
    values = MultiDict()
    for element in form.select("input, select, textarea"):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            values.add(name, element.text.lstrip("\n"))
        elif element.name == "select":
            chosen = [o for o in element.select("option") if o.has_attr("selected")]
            options = element.select("option")
            if chosen or options:
                values.add(name, (chosen or options)[0].get("value", (chosen or options)[0].text))
        else:
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    values.add(name, element.get("value", "on"))
            else:
                values.add(name, element.get("value", ""))
    if submit:
        values.add(submit, "y")
    return values


def error_for(soup: BeautifulSoup, field_id: str) -> str:
    """Return the error message shown beside a field ('' if none)."""
    found = soup.select_one(f"#{field_id}-error")
    return found.get_text(" ", strip=True) if found else ""


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the shared limiter: start each test with none."""
    yield
    with contextlib.suppress(Exception):  # a limiter that was never enabled has no storage
        limiter.reset()


@pytest.fixture
def world(app, make):
    """Two agencies with a service each, an editor for each, an admin, a pending change and a report."""
    org_a = make.organisation("Agency A")
    org_b = make.organisation("Agency B")
    service_a = make.service(
        "A's clinic", organisation=org_a, postcode="SW9 8BS", hours=[(0, "09:00", "17:00")]
    )
    service_b = make.service("B's clinic", organisation=org_b, postcode="E8 1DY")
    editor_a = make_user(make, "editor-a@example.org", organisations=[org_a])
    editor_b = make_user(make, "editor-b@example.org", organisations=[org_b])
    admin = make_user(make, "admin@example.org", is_admin=True)
    pending = Revision(
        service_id=service_a.id,
        number=revisions.next_number(service_a.id),
        kind="edit",
        status=RevisionStatus.PENDING,
        snapshot={**listing.take(service_a), "name": "A's clinic (renamed)"},
        base_version=service_a.version,
        author_id=editor_a.id,
        author_label=editor_a.email,
    )
    report = ProblemReport(service_id=service_a.id, category="wrong-hours", message="Closed on Mondays now")
    db.session.add_all([pending, report])
    db.session.commit()
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        service_a=service_a,
        service_b=service_b,
        editor_a=editor_a,
        editor_b=editor_b,
        admin=admin,
        pending=pending,
        report=report,
    )


def propose_edit(service, author, **changes):
    """Propose a change to a listing as its editor would, from the listing as it is now."""
    data = {**listing.take(service), **changes}
    return moderation.propose_change(
        service,
        data,
        author,
        base_version=service.version,
        base_pending_id=getattr(moderation.latest_pending_edit(service), "id", 0),
    )

