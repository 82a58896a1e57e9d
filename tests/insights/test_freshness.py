"""Freshness: share of listings verified within STALE_AFTER_DAYS, for everyone or one agency."""

from datetime import timedelta

from directory import coverage
from directory.extensions import db
from directory.models import Catchment
from directory.models.base import utcnow


def test_freshness_by_organisation_and_borough(app, make):
    app.config["STALE_AFTER_DAYS"] = 183
    a, b = make.organisation(name="Agency A"), make.organisation(name="Agency B")
    a1 = make.service(name="A1", organisation=a, borough_slug="lambeth")
    make.service(name="A2", organisation=a, borough_slug="lambeth")
    b1 = make.service(name="B1", organisation=b, borough_slug="hackney")
    b2 = make.service(name="B2", organisation=b, catchment=Catchment.BOROUGHS, catchment_boroughs=("camden",),
                      location_type="virtual", delivery=("phone",))
    helpline = make.service(name="Helpline", organisation=b, catchment=Catchment.NATIONAL,
                            location_type="virtual", delivery=("phone",))
    make.service(name="Defunct", organisation=b, borough_slug="hackney", status="defunct")
    a1.verified_at = utcnow() - timedelta(days=30)
    b1.verified_at = utcnow() - timedelta(days=182)
    b2.verified_at = utcnow() - timedelta(days=184)
    helpline.verified_at = utcnow() - timedelta(days=1)
    db.session.commit()

    report = coverage.freshness_report()
    assert (report.overall.total, report.overall.fresh) == (5, 3)
    by_org = {r.label: (r.total, r.fresh, r.percent) for r in report.by_organisation}
    assert by_org == {"Agency A": (2, 1, 50), "Agency B": (3, 2, 67)}
    by_borough = {r.label: (r.total, r.fresh) for r in report.by_borough}
    assert by_borough["Lambeth"] == (2, 1)
    assert by_borough["Hackney"] == (1, 1)
    assert by_borough["Camden"] == (1, 0)  # no place, but kept for Camden residents
    assert by_borough[coverage.NO_BOROUGH] == (1, 1)
    assert [s.name for s, _ in report.stalest] == ["A2", "B2"]


def test_an_agency_sees_only_its_own_listings(app, make):
    mine, other = make.organisation(name="Mine"), make.organisation(name="Other")
    make.service(name="Ours", organisation=mine, borough_slug="lambeth")
    make.service(name="Theirs", organisation=other, borough_slug="lambeth")
    report = coverage.freshness_for_organisations([mine.id])
    assert [r.label for r in report.by_organisation] == ["Mine"]
    assert [s.name for s, _ in report.stalest] == ["Ours"]
    assert report.overall.percent == 0
