"""Editing a listing: the form round-trips every listing, validates beside each field, keeps input."""

from sqlalchemy import select

from directory.extensions import db
from directory.models import Revision, RevisionStatus, Service

from .conftest import form_values, page, sign_in


def test_every_seeded_listing_round_trips_through_the_form_unchanged(seeded_app, make):
    services = db.session.scalars(select(Service)).all()
    admin = make.user("admin@example.org", is_admin=True)
    client = seeded_app.test_client()
    sign_in(client, admin)
    for service in services:
        form = client.get(f"/agency/services/{service.id}/edit")
        assert form.status_code == 200
        response = client.post(f"/agency/services/{service.id}/edit", data=form_values(form, submit="save"))
        assert response.status_code == 302, (
            service.name,
            [e.text for e in page(response).select(".error-message")],
        )
    pending = db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all()
    assert pending == [], f"a save with no edits proposed a change: {[r.service.name for r in pending]}"
