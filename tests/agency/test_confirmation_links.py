"""The emailed "still accurate" link: opening it changes nothing, its button confirms once, bad links nothing.

Whoever holds the link need not be signed in, so each test uses a client that never signed in.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from directory import confirmation_links, listing, moderation
from directory.extensions import db
from directory.models import AuditEvent, CapacityStatement, ConfirmationLink, Membership, Service
from tests.accounts_helpers import form_values, make_user, page

CHECKED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def held(app, make):
    """A listing with a phone, hours and a waiting list, its editor, and a link issued to them."""
    org = make.organisation("Lambeth Recovery Trust")
    service = make.service("Brixton chemsex clinic", organisation=org, postcode="SW9 8BS",
                           hours=[(0, "09:00", "17:00")], verified_at=CHECKED, capacity="waiting_list",
                           capacity_wait_weeks=6, capacity_stated_at=CHECKED)
    editor = make_user(make, "editor@lambeth.example", organisations=[org])
    token = confirmation_links.issue(service, editor)
    db.session.commit()
    url = f"/agency/confirm/{token}"
    return SimpleNamespace(org=org, service=service, editor=editor, token=token, url=url)


def state(service_id):
    db.session.expire_all()
    service = db.session.get(Service, service_id)
    return SimpleNamespace(
        verified_at=service.verified_at and service.verified_at.replace(tzinfo=UTC),
        method=service.verification_method,
        capacity_stated_at=service.capacity_stated_at and service.capacity_stated_at.replace(tzinfo=UTC),
        statements=db.session.scalar(select(func.count()).select_from(CapacityStatement)),
        events=db.session.scalar(select(func.count()).select_from(AuditEvent)),
        used=[link.used_at for link in db.session.scalars(select(ConfirmationLink))],
    )


def text(response):
    return page(response).get_text(" ", strip=True)


def test_opening_the_link_shows_the_key_facts_and_one_button_and_changes_nothing(app, held):
    before = state(held.service.id)
    response = app.test_client().get(held.url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    soup = page(response)
    assert soup.h1.get_text(strip=True) == "Is Brixton chemsex clinic still accurate?"
    shown = text(response)
    assert "Lambeth Recovery Trust" in shown and "SW9 8BS" in shown and "09:00" in shown
    assert "Waiting list: about 6 weeks" in shown and "Self-referral" in shown
    [button] = soup.select("form button")
    assert button.get_text(strip=True) == "Yes, this is still accurate"
    assert soup.select_one("form")["method"] == "post"
    edit = soup.find("a", string="Something has changed: edit the listing")
    assert edit["href"] == f"/agency/services/{held.service.id}/edit"
    assert state(held.service.id) == before  # mail scanners open links: a GET must change nothing


def test_the_button_confirms_the_listing_and_its_waits_as_the_agency(app, held):
    client = app.test_client()
    response = client.post(held.url)
    assert response.status_code == 200
    assert "Thank you: Brixton chemsex clinic is confirmed" in text(response)
    after = state(held.service.id)
    assert after.verified_at > CHECKED and after.method == "agency"
    assert after.capacity_stated_at > CHECKED and after.statements == 1
    assert after.used[0] is not None
    service = db.session.get(Service, held.service.id)
    assert service.verified_by_id == held.editor.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"service-verified", "capacity-confirmed", "confirmation-link-used"} <= actions


def test_the_button_works_with_csrf_protection_on_and_refuses_a_post_without_it(app, held):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    before = state(held.service.id)
    refused = client.post(held.url, data={})
    assert refused.status_code == 400
    assert state(held.service.id) == before
    opened = client.get(held.url)
    done = client.post(held.url, data=form_values(opened, selector="form"))
    assert done.status_code == 200 and state(held.service.id).method == "agency"


def test_a_used_link_is_refused_with_a_clear_page_and_changes_nothing(app, held):
    client = app.test_client()
    client.post(held.url)
    first = state(held.service.id)
    again = client.post(held.url)
    assert again.status_code == 410
    assert "already been used" in text(again) and "Nothing has been changed." in text(again)
    assert state(held.service.id) == first
    assert client.get(held.url).status_code == 410


def test_an_expired_link_is_refused(app, held):
    before = state(held.service.id)
    app.config["DIRECTORY_NOW"] = (datetime.now(UTC) + timedelta(days=46)).isoformat()
    client = app.test_client()
    opened = client.get(held.url)
    assert opened.status_code == 410 and "This link has expired." in text(opened)
    assert client.post(held.url).status_code == 410
    assert state(held.service.id) == before


@pytest.mark.parametrize("change", ["signature", "payload", "cut", "resigned"])
def test_a_forged_or_altered_link_is_refused(app, held, change):
    body, signature = held.token.rsplit(".", 1)
    link_id = db.session.scalar(select(ConfirmationLink.id))
    forged = {
        "signature": f"{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        "payload": f"{body[:-2]}{'AA' if body[-2:] != 'AA' else 'BB'}.{signature}",
        "cut": held.token[:-10],
        # Signed with another key: the right shape and id, but not ours.
        "resigned": URLSafeSerializer("another-key", salt=confirmation_links.SALT).dumps([link_id, "guess"]),
    }[change]
    before = state(held.service.id)
    client = app.test_client()
    opened = client.get(f"/agency/confirm/{forged}")
    assert opened.status_code == 404 and "This link is not valid" in text(opened)
    assert client.post(f"/agency/confirm/{forged}").status_code == 404
    assert state(held.service.id) == before


def test_a_signed_token_with_the_wrong_secret_is_refused(app, held):
    link_id = db.session.scalar(select(ConfirmationLink.id))
    ours = URLSafeSerializer(app.config["SECRET_KEY"], salt=confirmation_links.SALT)
    response = app.test_client().post(f"/agency/confirm/{ours.dumps([link_id, 'not-the-secret'])}")
    assert response.status_code == 404 and state(held.service.id).method is None


def test_a_switched_off_editor_or_one_no_longer_an_editor_is_refused(app, held):
    held.editor.is_active = False
    db.session.commit()
    client = app.test_client()
    response = client.post(held.url)
    assert response.status_code == 403 and "switched off" in text(response)
    held.editor.is_active = True
    db.session.delete(db.session.get(Membership, (held.editor.id, held.org.id)))
    db.session.commit()
    assert client.post(held.url).status_code == 403
    assert state(held.service.id).method is None


def test_a_listing_no_longer_listed_is_not_confirmed(app, held):
    held.service.status = "defunct"
    db.session.commit()
    response = app.test_client().post(held.url)
    assert response.status_code == 410 and "no longer listed" in text(response)
    assert state(held.service.id).method is None


def test_while_a_change_waits_for_review_the_page_offers_no_button_and_a_post_is_refused(app, held):
    moderation.propose_change(held.service, {**listing.take(held.service), "description": "New words"},
                              held.editor, base_version=held.service.version, base_pending_id=0)
    db.session.commit()
    client = app.test_client()
    opened = client.get(held.url)
    assert opened.status_code == 200 and "A change is waiting for review" in text(opened)
    assert not page(opened).select("form button")
    before = state(held.service.id)
    refused = client.post(held.url)
    assert refused.status_code == 409 and "waiting for review" in text(refused)
    assert state(held.service.id) == before
