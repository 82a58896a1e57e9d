"""The service page: how to get in, who it is for, where and when, contact, freshness, provenance."""

from datetime import UTC, datetime, timedelta

import pytest

from directory.extensions import db
from directory.models import Phone

from .conftest import page, seeded, text


@pytest.fixture
def clinic(app, make, pinned):
    org = make.organisation(name="South London Health Trust")
    service = make.service(
        name="Brixton chemsex clinic", organisation=org, types=("chemsex-support",),
        audiences=("gay-bi-msm",), routes=("self-referral", "walk-in"), postcode="SW9 8BS",
        hours=[(2, "10:00", "18:00"), (5, "22:00", "02:00")],
        description="Support with chemsex, crystal meth and G.",
        application_process="Walk in, or call to book an appointment.",
        eligibility_description="Gay, bi and other men who have sex with men.",
        minimum_age=18, email="clinic@example.org", url="https://example.org/clinic",
        languages="English, Spanish", accessibility="Step-free access.", fees_description="Free",
        catchment="boroughs", catchment_boroughs=("lambeth", "southwark"),
    )
    service.phones = [Phone(number="020 7946 0000", description="appointments")]
    db.session.commit()
    make.service(name="Southwark sexual health clinic", organisation=org, types=("sexual-health",))
    make.service(name="Withdrawn service", organisation=org, is_published=False)
    return service


def section_text(doc, heading) -> str:
    """Return the text from an h2 up to the next h2."""
    h2 = next(h for h in doc.find_all("h2") if text(h) == heading)
    parts = []
    for sibling in h2.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(text(sibling))
    return " ".join(parts)


def test_shows_how_to_get_in_and_who_it_is_for(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}"))
    assert text(doc.h1) == "Brixton chemsex clinic"
    assert "Run by South London Health Trust" in text(doc)
    how = section_text(doc, "How to get in")
    assert "Self-referral" in how and "Walk-in or drop-in" in how
    assert "Walk in, or call to book an appointment." in how
    who = section_text(doc, "Who it is for")
    assert "Gay, bi and other men who have sex with men (aged 18 and over)" in who
    assert "Only for people who live in Lambeth or Southwark." in who
    assert text(doc.select_one(".badge")) == "LGBTQ+-specific"


def test_shows_each_location_with_hours_open_now_address_and_an_openstreetmap_link(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}"))
    location = doc.select_one("section.location")
    assert "SW9 8BS" in text(location.select_one(".address"))
    assert "Lambeth" in text(location.h3)
    assert "Open now, until 18:00" in text(location)
    hours = {text(row.th): text(row.td) for row in location.select("table.hours tr")}
    assert hours == {"Wednesday": "10:00–18:00", "Saturday": "22:00–02:00"}
    osm = location.find("a", string="Open this location in OpenStreetMap")
    loc = clinic.locations[0]
    lat, lon = round(loc.latitude, 5), round(loc.longitude, 5)
    assert osm["href"] == f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    assert not doc.find("iframe") and not doc.find("img")


def test_shows_contact_details_as_links_and_the_other_facts(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}"))
    assert doc.select_one("a[href='tel:02079460000']").string == "020 7946 0000"
    assert doc.select_one("a[href='mailto:clinic@example.org']")
    assert doc.select_one("a[href='https://example.org/clinic']")
    details = {text(d.dt): text(d.dd) for d in doc.select("dl.details div")}
    assert details["Languages"] == "English, Spanish"
    assert details["Accessibility"] == "Step-free access."
    assert details["Cost"] == "Free"
    assert details["Type of service"] == "Specialist chemsex support"


def test_lists_the_organisations_other_published_services(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}"))
    others = [text(a) for a in doc.select("h2 + ul a") if "/services/" in a["href"]]
    assert "Southwark sexual health clinic" in others
    assert "Withdrawn service" not in text(doc)


def test_never_verified_listing_says_so(client, clinic):
    notice = page(client.get(f"/services/{clinic.id}")).select_one(".freshness")
    assert "Never verified" in text(notice)


def test_stale_verification_gets_a_clear_notice_and_a_recent_one_does_not(client, clinic):
    clinic.verified_at = datetime(2026, 3, 4, tzinfo=UTC) - timedelta(days=200)
    db.session.commit()
    notice = text(page(client.get(f"/services/{clinic.id}")).select_one(".freshness"))
    assert "more than 6 months ago" in notice and "check with the service" in notice
    clinic.verified_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()
    notice = text(page(client.get(f"/services/{clinic.id}")).select_one(".freshness"))
    assert notice == "Last verified 1 March 2026."


def test_seeded_listing_says_it_is_unverified_with_confidence_and_sources(seeded_client, seeded_pinned):
    service = seeded("56 Dean Street")
    doc = page(seeded_client.get(f"/services/{service.id}"))
    notice = text(doc.select_one(".freshness"))
    assert "Seeded from public information, not yet verified by the service." in notice
    provenance = section_text(doc, "Where this information comes from")
    assert f"Confidence: {service.confidence}" in provenance
    sources = [a["href"] for a in doc.select("ul.sources a")]
    assert "https://en.wikipedia.org/wiki/56_Dean_Street" in sources


def test_has_add_to_list_and_a_link_to_the_report_form(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}"))
    assert doc.select_one("a.add-to-list")["href"].startswith(f"/list?s={clinic.id}")
    assert doc.select_one(f"a[href='/services/{clinic.id}/report']")
    # The form itself lives on its own page, so this page needs no CSRF cookie.
    assert not doc.find("form", method="post")


@pytest.mark.parametrize("change", [{"is_published": False}, {"status": "defunct"}])
def test_unpublished_or_defunct_services_are_not_shown(client, clinic, change):
    for key, value in change.items():
        setattr(clinic, key, value)
    db.session.commit()
    assert client.get(f"/services/{clinic.id}").status_code == 404


def test_user_text_is_escaped(client, make, pinned):
    service = make.service(name="<script>alert(1)</script>", description="<b>bold</b>", postcode="SW9 8BS")
    body = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>bold</b>" not in body


def test_a_service_with_no_contact_details_says_what_to_do_instead(client, make, pinned):
    gp_only = make.service(name="Referral-only clinic", routes=("gp-referral",), url=None)
    contact = text(page(client.get(f"/services/{gp_only.id}")).select_one("ul.contact"))
    assert contact == "No contact details listed yet: ask your GP to refer you."


def test_the_service_page_leads_back_to_the_search_it_came_from(client, clinic):
    doc = page(client.get(f"/services/{clinic.id}?back=/search%3Fq%3Dtina%26borough%3Dlambeth"))
    back = doc.select_one("#back-to-results")
    assert text(back) == "Back to results"
    assert back["href"] == f"/search?q=tina&borough=lambeth#svc-{clinic.id}"
    # Only this site's own pages: never a link away from it.
    doc = page(client.get(f"/services/{clinic.id}?back=//elsewhere.example/search"))
    assert doc.select_one("#back-to-results") is None
