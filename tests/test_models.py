import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from directory import listing, revisions
from directory.extensions import db
from directory.models import Catchment, IndexChange, Revision, Service
from directory.validation import ListingError, check_listing


def test_minimum_age_above_maximum_age_is_refused(app, make):
    with pytest.raises(ListingError, match="minimum age"):
        make.service(minimum_age=30, maximum_age=18)
    db.session.rollback()
    # The database holds the same rule, for writers that bypass the ORM.
    service = make.service(minimum_age=16, maximum_age=25)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Service).where(Service.id == service.id).values(minimum_age=30))
    db.session.rollback()


def test_unknown_status_and_catchment_are_refused(app, make):
    with pytest.raises(ValueError):
        Service(name="x", status="open-ish")
    with pytest.raises(ValueError):
        Service(name="x", catchment="mars")


def test_borough_only_catchment_must_name_a_borough(app, make):
    with pytest.raises(ListingError) as err:
        make.service(catchment=Catchment.BOROUGHS, catchment_boroughs=())
    db.session.rollback()
    assert "at least one borough" in str(err.value)
    service = make.service(catchment=Catchment.BOROUGHS, catchment_boroughs=("lambeth",))
    assert check_listing(service) == []


def test_a_revision_is_written_on_every_service_change(app, make):
    service = make.service(name="Chemsex clinic", postcode="SW9 8BS", hours=[(0, "09:00", "17:00")])
    history = revisions.history(service)
    assert [r.number for r in history] == [1]
    assert history[0].snapshot["name"] == "Chemsex clinic"
    assert history[0].snapshot["locations"][0]["postcode"] == "SW9 8BS"

    with revisions.recording(kind="edit", author_label="tester", reason="renamed"):
        service.name = "Chemsex support clinic"
        db.session.commit()
    with revisions.recording(kind="edit", author_label="tester", reason="longer hours"):
        service.service_at_locations[0].schedules[0].closes_at = service.service_at_locations[0].schedules[
            0
        ].closes_at.replace(hour=19)
        db.session.commit()

    history = revisions.history(service)
    assert [r.number for r in history] == [3, 2, 1]
    assert history[1].snapshot["name"] == "Chemsex support clinic"
    assert history[1].reason == "renamed" and history[1].author_label == "tester"
    assert history[0].snapshot["locations"][0]["schedules"][0]["closes_at"] == "19:00"
    assert service.version == 3


def test_no_op_save_and_verification_write_no_revision(app, make):
    from directory.models.base import utcnow

    service = make.service()
    service.name = service.name  # no-op
    service.verified_at = utcnow()
    db.session.commit()
    assert len(revisions.history(service)) == 1
    assert service.version == 1


def test_each_listing_change_is_logged_for_the_search_index_in_the_same_transaction(app, make):
    service = make.service()
    seqs = db.session.scalars(select(IndexChange.seq).where(IndexChange.service_id == service.id)).all()
    assert len(seqs) == 1
    service.description = "Now with PEP"
    db.session.rollback()  # nothing committed: neither a revision nor a change-log entry
    assert db.session.scalar(select(Revision).where(Revision.number == 2)) is None
    assert len(db.session.scalars(select(IndexChange).where(IndexChange.service_id == service.id)).all()) == 1


def test_restoring_a_snapshot_brings_back_the_old_listing(app, make):
    service = make.service(name="Old name", postcode="E1 4AQ", hours=[(2, "10:00", "14:00")])
    old = revisions.history(service)[0].snapshot
    service.name = "New name"
    service.service_at_locations[0].schedules = []
    db.session.commit()
    version_before, revisions_before = service.version, len(revisions.history(service))
    with revisions.recording(kind="restore", author_label="admin", reason="restore 1"):
        listing.apply(service, old)
        db.session.commit()
    # One restore is one revision and one version step, never a half-applied listing in between.
    assert len(revisions.history(service)) == revisions_before + 1
    assert service.version == version_before + 1
    assert service.name == "Old name"
    assert listing.take(service) == old
    assert revisions.history(service)[0].kind == "restore"
