"""Small factories for test data, committed through the real session (so revisions are written)."""

from datetime import time
from itertools import count

from sqlalchemy import select

from directory import revisions
from directory.extensions import db
from directory.geo import lookup
from directory.models import (
    Borough,
    Catchment,
    Location,
    Membership,
    Organisation,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    User,
)

_n = count(1)


def term(vocabulary, code):
    found = db.session.scalar(
        select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.code == vocabulary, TaxonomyTerm.code == code)
    )
    assert found is not None, f"unknown term {vocabulary}:{code}"
    return found


def borough(slug):
    found = db.session.scalar(select(Borough).where(Borough.slug == slug))
    assert found is not None, f"unknown borough {slug}"
    return found


class Factories:
    def organisation(self, name=None, **fields):
        org = Organisation(name=name or f"Organisation {next(_n)}", **fields)
        db.session.add(org)
        db.session.commit()
        return org

    def service(
        self,
        name=None,
        organisation=None,
        types=("drug-alcohol-treatment",),
        audiences=("everyone",),
        routes=("self-referral",),
        delivery=("in-person",),
        catchment=Catchment.OPEN_ACCESS,
        catchment_boroughs=(),
        postcode=None,
        borough_slug=None,
        hours=(),
        location_type="physical",
        commit=True,
        **fields,
    ):
        """Create a service. `hours` is a list of (weekday, "HH:MM", "HH:MM")."""
        org = organisation or self.organisation()
        service = Service(name=name or f"Service {next(_n)}", catchment=catchment, **fields)
        db.session.add(service)
        service.organisation = org
        with db.session.no_autoflush:
            self._fill(service, types, audiences, routes, delivery, catchment_boroughs, postcode,
                       borough_slug, hours, location_type)
        if commit:
            with revisions.recording(kind="system", author_label="test"):
                db.session.commit()
        return service

    def _fill(self, service, types, audiences, routes, delivery, catchment_boroughs, postcode, borough_slug,
              hours, location_type):
        service.terms = (
            [term("service-type", c) for c in types]
            + [term("audience", c) for c in audiences]
            + [term("referral-route", c) for c in routes]
            + [term("delivery", c) for c in delivery]
        )
        service.catchment_boroughs = [borough(s) for s in catchment_boroughs]
        if postcode or borough_slug or location_type != "physical":
            location = Location(location_type=location_type, address_1="1 Test Street")
            if postcode:
                place = lookup(postcode)
                location.postcode = place.query
                location.latitude, location.longitude = place.point
                location.borough_code = place.borough_code
            elif borough_slug:
                location.borough_code = borough(borough_slug).ons_code
            sal = ServiceAtLocation(location=location)
            sal.schedules = [
                Schedule(weekday=d, opens_at=time.fromisoformat(o), closes_at=time.fromisoformat(c))
                for d, o, c in hours
            ]
            service.service_at_locations = [sal]

    def user(self, email=None, password="correct horse battery staple", is_admin=False, organisations=()):
        from werkzeug.security import generate_password_hash

        user = User(
            email=email or f"user{next(_n)}@example.org",
            password_hash=generate_password_hash(password) if password else None,
            is_admin=is_admin,
        )
        user.memberships = [Membership(organisation=o) for o in organisations]
        db.session.add(user)
        db.session.commit()
        return user
