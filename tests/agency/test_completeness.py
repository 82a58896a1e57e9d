"""Completeness: each listing knows what it lacks, says why, and links to the field that fills it in."""

from urllib.parse import urlsplit

from sqlalchemy import select

from directory import completeness, moderation
from directory.extensions import db
from directory.models import Phone, RevisionStatus, Service
from tests.accounts_helpers import form_values, make_user, page, signed_in


def _complete(make, **overrides):
    """A listing with everything people look for."""
    fields = {
        "name": "Complete clinic",
        "postcode": "SW9 8BS",
        "hours": [(0, "09:00", "17:00")],
        "url": "https://clinic.example.org",
        "eligibility_description": "Adults who use drugs",
        **overrides,
    }
    service = make.service(**fields)
    service.phones = [Phone(number="020 7946 0000")]
    db.session.commit()
    return service


def _keys(service):
    return [gap.key for gap in completeness.of(service).gaps]


def test_a_listing_with_everything_lacks_nothing(app, make):
    found = completeness.of(_complete(make))
    assert found.gaps == () and found.complete
    assert (found.present, found.total) == (6, 6)


def test_a_bare_listing_lacks_all_six_each_with_a_reason_and_a_field(app, make):
    service = make.service("Bare", audiences=(), routes=(), delivery=())
    found = completeness.of(service)
    assert [g.key for g in found.gaps] == ["phone", "hours", "postcode", "referral", "eligibility", "website"]
    assert found.present == 0
    by_key = {g.key: g for g in found.gaps}
    assert by_key["phone"].why == "People can’t ring you."
    # No location yet: opening times and the postcode start with "Add another location".
    assert by_key["hours"].field_id == by_key["postcode"].field_id == "add_location"
    assert by_key["referral"].field_id == "referral_routes"
    assert by_key["eligibility"].field_id == "eligibility_description"
    assert by_key["website"].field_id == "url"


def test_a_building_needs_a_full_postcode_but_a_phone_or_online_service_does_not(app, make):
    assert "postcode" in _keys(_complete(make, postcode=None, borough_slug="lambeth"))
    outcode_only = _complete(make, name="Outcode clinic")
    outcode_only.service_at_locations[0].location.postcode = "SW9"
    db.session.commit()
    gap = next(g for g in completeness.of(outcode_only).gaps)
    assert (gap.key, gap.field_id) == ("postcode", "locations-0-postcode")

    online = _complete(make, name="Helpline", postcode=None, location_type="virtual")
    assert "postcode" not in _keys(online)
    # With no location at all, a listing delivered only by phone lacks no postcode; one in person does.
    by_phone = make.service("Phone line", delivery=("phone",))
    assert "postcode" not in _keys(by_phone)
    assert "postcode" in _keys(make.service("Drop-in", delivery=("in-person",)))


def test_opening_hours_are_weekly_sessions_and_eligibility_is_words_audiences_or_ages(app, make):
    unknown = _complete(make, hours=[])
    unknown.service_at_locations[0].hours_note = "Contact the service for its opening times"
    db.session.commit()
    assert "hours" in _keys(unknown)  # a note saying the times are not known gives none
    gap = next(g for g in completeness.of(unknown).gaps if g.key == "hours")
    assert gap.field_id == "locations-0-sessions-0-weekday"

    nobody_said = _complete(make, name="Open door", eligibility_description="", audiences=())
    assert _keys(nobody_said) == ["eligibility"]
    nobody_said.minimum_age = 18
    db.session.commit()
    assert _keys(nobody_said) == []


def test_the_dashboard_lists_what_each_listing_lacks_with_links_to_fields_on_the_edit_page(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    dashboard = page(client.get("/agency/"))
    row = next(tr for tr in dashboard.select("tbody tr") if "A's clinic" in tr.th.get_text())
    cell = row.select("td")[-1]
    assert "4 of 6" in cell.get_text()
    links = {a.get_text(" ", strip=True): a["href"] for a in cell.select(".lacks a")}
    assert set(links) == {"Add a phone number to A's clinic", "Add a website to A's clinic"}
    assert "People can’t ring you." in cell.get_text()
    # Every link leads to the field it names on the listing's own edit page.
    for href in links.values():
        url = urlsplit(href)
        assert url.path == f"/agency/services/{world.service_a.id}/edit"
        edit = page(client.get(url.path))
        assert edit.find(id=url.fragment) is not None, f"no #{url.fragment} on the edit page"


def test_every_gap_of_a_bare_listing_links_to_something_on_its_edit_page(app, make, world):
    bare = make.service("Bare", organisation=world.org_a, audiences=(), routes=(), delivery=())
    client = signed_in(app.test_client(), world.editor_a)
    shown = page(client.get(f"/agency/services/{bare.id}"))
    section = shown.select_one("section[aria-labelledby=lacks-title]")
    hrefs = [a["href"] for a in section.select(".lacks a")]
    assert len(hrefs) == 6 and "0 of 6" in section.get_text()
    edit = page(client.get(f"/agency/services/{bare.id}/edit"))
    assert all(edit.find(id=urlsplit(href).fragment) is not None for href in hrefs)


def test_filling_a_gap_in_and_having_it_approved_takes_it_off_the_service_page(app, world):
    world.pending.status = RevisionStatus.WITHDRAWN
    db.session.commit()
    client = signed_in(app.test_client(), world.editor_a)
    url = f"/agency/services/{world.service_a.id}/edit"
    form = form_values(client.get(url), submit="save")
    form.setlist("url", ["https://a-clinic.example.org"])
    assert client.post(url, data=form).status_code == 302
    # Still missing until an admin publishes it: the public listing has no website yet.
    lacks = page(client.get(f"/agency/services/{world.service_a.id}")).select_one("#lacks-title").parent
    assert "Add a website" in lacks.get_text()
    moderation.approve(moderation.latest_pending_edit(world.service_a), world.admin)
    db.session.commit()
    lacks = page(client.get(f"/agency/services/{world.service_a.id}")).select_one("#lacks-title").parent
    assert "Add a website" not in lacks.get_text() and "Add a phone number" in lacks.get_text()
    assert "5 of 6" in lacks.get_text()


def test_in_the_seeded_directory_every_gap_links_to_a_field_its_edit_page_has(seeded_app, make):
    services = db.session.scalars(select(Service).where(Service.is_visible)).all()
    found = completeness.for_services(services)
    # The seed holds no phone numbers: every listing says so, none claims one.
    assert all("phone" in [g.key for g in c.gaps] for c in found.values())
    client = signed_in(seeded_app.test_client(), make_user(make, "admin@example.org", is_admin=True))
    by_fields = {}
    for c in found.values():  # one listing for each distinct set of fields, not all 86 edit pages
        by_fields.setdefault(tuple(g.field_id for g in c.gaps), c.service)
    for field_ids, service in by_fields.items():
        edit = page(client.get(f"/agency/services/{service.id}/edit"))
        missing = [f for f in field_ids if edit.find(id=f) is None]
        assert missing == [], f"{service.name}: no {missing} on its edit page"
