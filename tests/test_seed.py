"""The seeded London services: coverage, provenance, idempotency and the loader's safety checks."""

import json
import re

import pytest
from sqlalchemy import func, select

from directory import revisions
from directory.extensions import db
from directory.models import (
    Borough,
    IndexChange,
    Location,
    Organisation,
    Pathway,
    PathwayStage,
    Phone,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    pathway_stage_services,
    service_catchment,
    service_terms,
)
from directory.seed import LISTINGS_FILE, RESOURCES_FILE, SOURCES_FILE, load_sources, seed_id, seed_services

TAXONOMIES = json.loads((LISTINGS_FILE.parent.parent / "taxonomies.json").read_text(encoding="utf-8"))
SERVICE_TYPES = {
    t["code"] for tax in TAXONOMIES["taxonomies"] if tax["code"] == "service-type" for t in tax["terms"]
}
# Rows that are materials (cards, packs), seeded as harm-reduction resources rather than services.
RESOURCE_ROWS = {
    e["source_name"] for e in json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))["resources"]
}
# Something that looks like a UK phone number: 0 or +44, then 9 or more digits allowing spaces.
PHONE = re.compile(r"(?:\+44|\b0)(?:[\s-]?\d){9,}")


def _counts() -> dict[str, int]:
    tables = {
        "service": Service,
        "organisation": Organisation,
        "location": Location,
        "service_at_location": ServiceAtLocation,
        "schedule": Schedule,
        "phone": Phone,
        "pathway": Pathway,
        "pathway_stage": PathwayStage,
        "revision": Revision,
        "index_change": IndexChange,
    }
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model)) for name, model in tables.items()
    }
    for table in (service_terms, service_catchment, pathway_stage_services):
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


def _service(name: str) -> Service:
    return db.session.get(Service, seed_id("service", name))


def _boroughs_served(services) -> set[str]:
    codes = set()
    for s in services:
        codes.update(b.ons_code for b in s.catchment_boroughs)
        codes.update(loc.borough_code for loc in s.locations if loc.borough_code)
    return codes


# ---------------------------------------------------------------------------------- coverage


def test_every_active_row_is_seeded_and_no_closed_row(seeded_app):
    sources = load_sources()
    active = {name for name in sources if not name.upper().startswith("CLOSED")} - RESOURCE_ROWS
    services = db.session.scalars(select(Service)).all()
    assert len(services) >= 60
    assert {s.id for s in services} == {seed_id("service", name) for name in active}
    assert not any(s.name.upper().startswith("CLOSED") for s in services)
    for name in sources:
        if name.upper().startswith("CLOSED"):
            assert _service(name) is None
    # Nor does a closed service reappear under a cleaned-up name.
    names = {s.name.lower() for s in services}
    assert "margaret pyke centre" not in names
    assert not any("leadenhall" in (loc.address_1 or "").lower() for s in services for loc in s.locations)


def test_services_span_at_least_twenty_boroughs(seeded_app):
    services = db.session.scalars(select(Service)).all()
    assert len(_boroughs_served(services)) >= 20
    # The City of London has the Hackney service as its catchment (the intentional duplicate row).
    city = db.session.scalar(select(Borough).where(Borough.slug == "city-of-london"))
    assert any(city in s.catchment_boroughs for s in services)


def test_every_service_type_is_used(seeded_app):
    used = {t.code for s in db.session.scalars(select(Service)).all() for t in s.terms_in("service-type")}
    assert used == SERVICE_TYPES


def test_every_service_is_classified(seeded_app):
    for service in db.session.scalars(select(Service)).all():
        assert service.term_codes("service-type"), service.name
        assert service.term_codes("audience"), service.name
        assert service.description.strip(), service.name
        if service.catchment == "boroughs":
            assert service.catchment_boroughs, service.name


def test_lgbt_specific_rows_have_the_lgbtq_audience(seeded_app):
    for name, row in load_sources().items():
        listed = not name.upper().startswith("CLOSED") and name not in RESOURCE_ROWS
        if row["lgbt_specific"] == "yes" and listed:
            assert "lgbtq" in _service(name).term_codes("audience"), name


def test_chemsex_services_name_the_drugs_people_search_for(seeded_app):
    dean_street = _service("ChemSex Support, 56 Dean Street")
    assert {"chemsex-support"} <= dean_street.term_codes("service-type")
    assert {"gay-bi-msm", "lgbtq"} <= dean_street.term_codes("audience")
    text = dean_street.description.lower()
    assert "crystal meth" in text and "mephedrone" in text and " g " in f" {text} ".replace("(", " ")
    club = _service("Club Drug Clinic").description
    assert "GHB" in club and "crystal meth" in club and "mephedrone" in club


def test_borough_drug_services_are_for_their_residents(seeded_app):
    hackney = _service(
        "City and Hackney Recovery Service (Turning Point - City of London and Hackney "
        "Integrated Drug & Alcohol Service)"
    )
    assert hackney.catchment == "boroughs"
    assert {b.slug for b in hackney.catchment_boroughs} == {"hackney", "city-of-london"}
    assert "drug-alcohol-treatment" in hackney.term_codes("service-type")
    clinic = _service("56 Dean Street")
    assert clinic.catchment == "open_access"
    assert _service("Switchboard LGBT+ Helpline").catchment == "national"


# --------------------------------------------------------------------- provenance and safety


def test_provenance_is_carried_and_seeded_services_are_unverified(seeded_app):
    sources = load_sources()
    for service in db.session.scalars(select(Service)).all():
        row = next(r for name, r in sources.items() if seed_id("service", name) == service.id)
        assert service.seeded is True
        assert service.verified_at is None
        assert service.confidence == row["confidence"] in ("high", "medium", "low")
        assert service.source_urls == row["source_url"] and service.source_urls.startswith("http")
        assert service.source_notes == row["notes"]
    dean = _service("Dean Street Express")
    assert dean.source_date.isoformat() == "2024-02-16"
    # A year-only source date is not turned into a made-up day.
    assert _service("TransPlus").source_date is None


def test_no_phone_numbers_are_seeded(seeded_app):
    assert db.session.scalar(select(func.count()).select_from(Phone)) == 0
    for service in db.session.scalars(select(Service)).all():
        texts = [
            service.description,
            service.application_process,
            service.eligibility_description,
            service.alert,
        ]
        texts += [sal.hours_note for sal in service.service_at_locations]
        texts += [loc.address_1 + " " + loc.address_2 for loc in service.locations]
        for text in texts:
            assert not PHONE.search(text or ""), (service.name, text)


def test_hours_only_where_the_sources_give_them(seeded_app):
    with_hours = {
        sal.service.name for sal in db.session.scalars(select(ServiceAtLocation)).all() if sal.schedules
    }
    assert with_hours == {
        "University College Hospital A&E",
        "Chelsea and Westminster Hospital A&E",
        "St Thomas' Hospital A&E",
        "The Haven Camberwell",
        "The Haven Paddington",
        "The Haven Whitechapel",
    }
    ae = _service("St Thomas' Hospital - A&E (out-of-hours PEP)").service_at_locations[0]
    assert sorted(s.weekday for s in ae.schedules) == list(range(7))
    assert all(s.opens_at.hour == s.closes_at.hour == 0 for s in ae.schedules)  # whole day


def test_borough_and_coordinates_come_from_the_postcode(seeded_app):
    location = _service("56 Dean Street").locations[0]
    assert location.postcode == "W1D 6AQ"
    assert location.borough.slug == "westminster"
    assert location.latitude == pytest.approx(51.51, abs=0.02)
    assert location.longitude == pytest.approx(-0.13, abs=0.02)
    # The City duplicate row is in Hackney, whatever the row's borough column says.
    city_row = _service("City and Hackney Recovery Service (Turning Point) - City of London residents")
    assert city_row.locations[0].borough.slug == "hackney"
    # Without a postcode: the stated borough, and no made-up coordinates.
    burrell = _service("Burrell Street Sexual Health Centre").locations[0]
    assert burrell.borough.slug == "southwark"
    assert burrell.postcode is None and burrell.latitude is None


def test_places_with_one_address_are_one_location(seeded_app):
    dean_street = {
        s.name
        for s in db.session.scalars(select(Service)).all()
        for loc in s.locations
        if loc.postcode == "W1D 6AQ"
    }
    assert dean_street == {"56 Dean Street", "TransPlus", "ChemSex Support, 56 Dean Street"}
    assert (
        db.session.scalar(select(func.count()).select_from(Location).where(Location.postcode == "W1D 6AQ"))
        == 1
    )


# ---------------------------------------------------------------------------------- pathways


def test_pathways_have_ordered_stages_with_services(seeded_app):
    pathways = db.session.scalars(select(Pathway).order_by(Pathway.position)).all()
    assert len(pathways) >= 4
    slugs = {p.slug for p in pathways}
    assert {
        "chemsex-support",
        "pep-within-72-hours",
        "entering-drug-alcohol-treatment",
        "trans-non-binary-sexual-health",
    } <= slugs
    for pathway in pathways:
        assert len(pathway.stages) >= 3, pathway.slug
        assert [s.position for s in pathway.stages] == list(range(len(pathway.stages)))
        for stage in pathway.stages:
            assert stage.services, (pathway.slug, stage.name)
            assert all(not s.name.upper().startswith("CLOSED") for s in stage.services)
    chemsex = next(p for p in pathways if p.slug == "chemsex-support")
    assert "PEP" in chemsex.stages[1].name
    assert "ChemSex Support, 56 Dean Street" in {s.name for s in chemsex.stages[2].services}
    pep = next(p for p in pathways if p.slug == "pep-within-72-hours")
    assert {"emergency-care", "sexual-health"} <= {
        code for s in pep.stages[0].services for code in s.term_codes("service-type")
    }


# ------------------------------------------------------------------------------- idempotency


def test_seeding_twice_changes_nothing(seeded_app):
    before = _counts()
    assert before["revision"] == before["service"]  # one seed revision per service
    assert {r.kind for r in db.session.scalars(select(Revision)).all()} == {"seed"}
    modified = {s.id: s.last_modified for s in db.session.scalars(select(Service)).all()}

    report = seed_services()
    db.session.commit()

    assert report.created == report.updated == 0
    assert report.unchanged == before["service"]
    assert report.skipped_closed == 14
    assert _counts() == before
    db.session.expire_all()
    assert {s.id: s.last_modified for s in db.session.scalars(select(Service)).all()} == modified


def test_seed_on_an_empty_database_reports_what_it_created(app):
    report = seed_services()
    db.session.commit()
    assert report.created >= 60 and report.unchanged == 0
    assert report.pathways_created >= 4
    assert str(report).startswith(f"{report.created} services")


def test_a_changed_listing_is_updated_with_one_revision(seeded_app, tmp_path):
    spec = json.loads(LISTINGS_FILE.read_text(encoding="utf-8"))
    entry = next(s for s in spec["services"] if s["source_name"] == "Positive East")
    entry["description"] += " Updated."
    listings = tmp_path / "listings.json"
    listings.write_text(json.dumps(spec), encoding="utf-8")

    report = seed_services(listings_path=listings)
    db.session.commit()

    assert report.updated == 1 and report.created == 0
    service = _service("Positive East")
    assert service.description.endswith("Updated.")
    history = revisions.history(service)
    assert [r.kind for r in history] == ["seed", "seed"]
    assert history[0].reason == "Seeded from public information"


def test_a_listing_a_person_has_edited_is_left_alone(seeded_app):
    service = _service("Positive East")
    with revisions.recording(kind="edit", author_label="agency", reason="our own words"):
        service.description = "Written by the agency."
        db.session.commit()

    report = seed_services()
    db.session.commit()

    assert report.kept == 1
    db.session.expire_all()
    assert _service("Positive East").description == "Written by the agency."


# ------------------------------------------------------------------------------- safety checks


def _write(tmp_path, mutate):
    spec = json.loads(LISTINGS_FILE.read_text(encoding="utf-8"))
    mutate(spec)
    path = tmp_path / "listings.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_a_closed_row_is_never_seeded_even_if_listed(app, tmp_path):
    closed = next(name for name in load_sources(SOURCES_FILE) if name.startswith("CLOSED:"))

    def add_closed(spec):
        entry = dict(spec["services"][0], source_name=closed, name="Looks open")
        spec["services"].append(entry)
        spec["pathways"][0]["stages"][0]["services"].append(closed)

    seed_services(listings_path=_write(tmp_path, add_closed))
    db.session.commit()
    assert _service(closed) is None
    assert not db.session.scalar(
        select(func.count()).select_from(Service).where(Service.name == "Looks open")
    )


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda spec: spec["services"][0].update(source_name="No such service"), "no row of that name"),
        (lambda spec: spec["services"][0].update(types=["astrology"]), "unknown service-type"),
        (lambda spec: spec["services"][0].update(audiences=["everyone", "martians"]), "unknown audience"),
        (lambda spec: spec["services"][0]["locations"][0].update(borough="gotham"), "unknown borough"),
        (
            lambda spec: spec["services"][0].update(catchment="boroughs", catchment_boroughs=["atlantis"]),
            "unknown borough",
        ),
        (lambda spec: spec["pathways"][0]["stages"][0]["services"].append("Nowhere clinic"), "no CSV row"),
    ],
)
def test_bad_listings_fail_loudly_and_write_nothing(app, tmp_path, mutate, message):
    with pytest.raises(ValueError, match=message):
        seed_services(listings_path=_write(tmp_path, mutate))
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0
    assert db.session.scalar(select(func.count()).select_from(TaxonomyTerm)) > 0  # reference data untouched
