"""The seeded harm-reduction resources: moved from the services, with their sources, idempotent, safe."""

import json

import pytest

from directory.extensions import db
from directory.models import ContentRevision, Organisation, Resource, Revision, Service, User
from directory.moderation import content
from directory.resources import catalogue
from directory.seed import LISTINGS_FILE, RESOURCES_FILE, load_sources, seed_id, seed_services

MOVED = ["London Ambulance Service chemsex harm-reduction card", "PIP PAC / 'Safer' chemsex pack"]


def _entries():
    return json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))["resources"]


def _write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_each_seeded_resource_carries_its_rows_sources_and_confidence(seeded_app):
    sources = load_sources()
    for entry in _entries():
        resource = db.session.query(Resource).filter_by(name=entry["name"]).one()
        row = sources[entry["source_name"]]
        assert resource.is_published and resource.format == entry["format"]
        assert resource.sources == [u.strip() for u in row["source_url"].split("|")]
        assert (resource.confidence, resource.source_date) == (row["confidence"], row["source_date"])
        assert resource.last_checked is None  # nobody has confirmed the seeded facts
        assert resource.producer.name == entry["producer"] == resource.organisation.name
        history = content.history(catalogue.KIND, resource.id)
        assert [(r.number, r.action, r.status, r.author_label) for r in history] == [
            (1, "seed", "published", "seed")
        ]


def test_the_seed_invents_no_service_that_hands_a_resource_out(seeded_app):
    assert all(not r.services for r in db.session.query(Resource))


def test_seeding_twice_changes_nothing(seeded_app):
    before = db.session.query(ContentRevision).count()
    report = seed_services()
    db.session.commit()
    assert (report.resources_created, report.resources_updated, report.resources_unchanged) == (0, 0, 3)
    assert db.session.query(ContentRevision).count() == before


def test_an_existing_database_has_the_tools_taken_off_its_services(app, tmp_path):
    listings = json.loads(LISTINGS_FILE.read_text(encoding="utf-8"))
    for row, organisation in zip(MOVED, ["London Ambulance Service NHS Trust", "Gay Men's Health Collective"],
                                 strict=True):
        listings["services"].append({
            "source_name": row, "name": row, "organisation": organisation, "types": ["harm-reduction"],
            "audiences": ["lgbtq"], "catchment": "national", "catchment_boroughs": [], "locations": [],
        })
    old = _write(tmp_path, "listings.json", listings)
    none = _write(tmp_path, "resources.json", {"resources": []})
    seed_services(listings_path=old, resources_path=none)  # as the directory was seeded before
    db.session.commit()
    assert all(db.session.get(Service, seed_id("service", row)).is_published for row in MOVED)

    report = seed_services()
    db.session.commit()
    assert report.services_withdrawn == 2 and report.resources_created == 3
    for row in MOVED:
        service = db.session.get(Service, seed_id("service", row))
        assert not service.is_published
        revisions = db.session.query(Revision).filter_by(service_id=service.id)
        last = revisions.order_by(Revision.number.desc()).first()
        assert last.kind == "seed"  # the change is kept, as every change to a listing is
    assert app.test_client().get(f"/services/{seed_id('service', MOVED[0])}").status_code == 404


def test_a_resource_a_person_changed_is_kept_and_a_seed_only_one_follows_the_file(seeded_app, tmp_path):
    admin = User(email="admin@example.org", is_admin=True)
    db.session.add(admin)
    card = db.session.query(Resource).filter_by(name=_entries()[0]["name"]).one()
    content.publish_directly(
        catalogue.KIND, card, {**catalogue.take(card), "how_to_get": "Also at A&E."}, admin=admin,
        reason="Checked",
    )
    db.session.commit()
    entries = _entries()
    entries[0]["how_to_get"] = "Changed in the file."
    entries[1]["description"] = "A free pack (changed in the file)."
    report = seed_services(resources_path=_write(tmp_path, "resources.json", {"resources": entries}))
    db.session.commit()
    assert (report.resources_kept, report.resources_updated, report.resources_unchanged) == (1, 1, 1)
    assert card.how_to_get == "Also at A&E."
    pack = db.session.query(Resource).filter_by(name=entries[1]["name"]).one()
    assert pack.description == "A free pack (changed in the file)."
    assert [r.action for r in content.history(catalogue.KIND, pack.id)] == ["seed", "seed"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "poster"}, "format must be one of"),
        ({"source_name": "No such row"}, "no active row"),
        ({"producer": "Nobody"}, "is not in listings.json's organisations"),
        ({"order_url": "http://menrus.co.uk"}, "must start with https://"),
        ({"services": ["No such service"]}, "is not among the services"),
        ({"pathway_stages": [["chemsex-support", "No such stage"]]}, "has no stage named"),
        ({"source_name": "Club Drug Clinic", "moved_from_services": True}, "still among the services"),
    ],
)
def test_a_bad_entry_is_refused_before_anything_is_written(app, tmp_path, change, message):
    entries = _entries()
    entries[0].update(change)
    with pytest.raises(ValueError, match=message):
        seed_services(resources_path=_write(tmp_path, "resources.json", {"resources": entries}))
    db.session.rollback()
    assert db.session.query(Organisation).count() == 0 and db.session.query(Resource).count() == 0
