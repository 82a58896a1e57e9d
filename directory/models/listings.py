"""The directory itself: organisations, services, locations, opening hours and care pathways.

Close to Open Referral UK 3.0 (organization, service, location, service_at_location, phone,
schedule, service_area, attribute) so that export and import are lossless; our extras
(catchment, referral routes, audiences, pathways, verification, provenance) are taxonomy
terms or plain columns.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .base import new_id, utcnow
from .reference import Borough, TaxonomyTerm

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
CONFIDENCE_LEVELS = ("high", "medium", "low")
LOCATION_TYPES = ("physical", "virtual", "postal")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Catchment:
    """Who may use a service by where they live."""

    OPEN_ACCESS = "open_access"  # anyone, wherever they live (e.g. sexual health clinics, A&E)
    LONDON = "london"  # residents of any London borough
    NATIONAL = "national"  # anyone in the UK (helplines, online services)
    BOROUGHS = "boroughs"  # only residents of the boroughs listed

    ALL = (OPEN_ACCESS, LONDON, NATIONAL, BOROUGHS)
    LABELS = {
        OPEN_ACCESS: "Open to anyone",
        LONDON: "London residents",
        NATIONAL: "Anyone in the UK",
        BOROUGHS: "Residents of named boroughs only",
    }


service_terms = Table(
    "service_attribute",
    db.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("taxonomy_term_id", ForeignKey("taxonomy_term.id"), primary_key=True, index=True),
)

service_catchment = Table(
    "service_area",
    db.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("borough_code", ForeignKey("borough.ons_code"), primary_key=True, index=True),
)

pathway_stage_services = Table(
    "pathway_stage_service",
    db.metadata,
    Column("stage_id", ForeignKey("pathway_stage.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Organisation(db.Model):
    """An agency: NHS trust clinic, charity, council-commissioned provider."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When it joined the network (set by admins); None when it is not a member.
    network_member_since: Mapped[date | None] = mapped_column(Date)

    services: Mapped[list["Service"]] = relationship(
        back_populates="organisation", order_by="Service.name"
    )

    def __repr__(self):
        return f"<Organisation {self.name!r}>"


def is_listed(is_published, status) -> bool:
    """Return whether a listing with these values is listed (`Service.is_listed`, for plain rows)."""
    return bool(is_published) and status == "active"


# The index of what `is_listed` reads, by service id.
LISTED_INDEX = "ix_service_listed"


class Service(db.Model):
    """What an organisation offers; the unit people search for."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(
            "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
            name="age_range",
        ),
        CheckConstraint("minimum_age IS NULL OR minimum_age >= 0", name="minimum_age_positive"),
        CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name="status_known"
        ),
        CheckConstraint(
            "catchment IN ('open_access', 'london', 'national', 'boroughs')", name="catchment_known"
        ),
        CheckConstraint("confidence IN ('high', 'medium', 'low')", name="confidence_known"),
        Index("ix_service_published_status", "is_published", "status"),
        # The API's list: visible services in name order, read straight off the index.
        Index("ix_service_visible_name", "is_published", "status", "name"),
        # Whether services are listed now, answered from the index alone (search.listed).
        Index(LISTED_INDEX, "id", "is_published", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    # False while a service proposed by an agency awaits an admin, or after an admin withdraws it.
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    alert: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    application_process: Mapped[str] = mapped_column(Text, default="")  # how to refer, in steps
    eligibility_description: Mapped[str] = mapped_column(Text, default="")
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    fees_description: Mapped[str] = mapped_column(Text, default="Free")
    languages: Mapped[str] = mapped_column(String(300), default="English")  # comma-separated names
    accessibility: Mapped[str] = mapped_column(Text, default="")
    catchment: Mapped[str] = mapped_column(String(20), default=Catchment.OPEN_ACCESS)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_modified: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )
    # Verification is a person confirming the listing is still true: not an import, not a no-op save.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # How the last verification was made: phone, email, visit or agency (the agency itself).
    verification_method: Mapped[str | None] = mapped_column(String(20))
    # Whether it takes new referrals now (directory/capacity.py), as the agency last said and when;
    # kept out of the listing's snapshot, like verification, so saying it never waits for review.
    capacity: Mapped[str | None] = mapped_column(String(20))
    capacity_wait_weeks: Mapped[int | None] = mapped_column(Integer)
    capacity_stated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on every published change; an edit based on an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Provenance of seeded or imported facts, so the site can say how sure it is.
    source_urls: Mapped[str] = mapped_column(Text, default="")  # " | "-separated
    source_date: Mapped[date | None] = mapped_column(Date)
    confidence: Mapped[str] = mapped_column(String(10), default="medium")
    source_notes: Mapped[str] = mapped_column(Text, default="")
    seeded: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    terms: Mapped[list[TaxonomyTerm]] = relationship(secondary=service_terms, order_by=TaxonomyTerm.position)
    catchment_boroughs: Mapped[list[Borough]] = relationship(
        secondary=service_catchment, order_by=Borough.name
    )
    service_at_locations: Mapped[list["ServiceAtLocation"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceAtLocation.position"
    )
    phones: Mapped[list["Phone"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Phone.position"
    )
    verified_by: Mapped["User | None"] = relationship()  # noqa: F821
    pathway_stages: Mapped[list["PathwayStage"]] = relationship(
        secondary=pathway_stage_services, back_populates="services"
    )

    @validates("status")
    def _check_status(self, key, value):
        if value not in SERVICE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SERVICE_STATUSES)}")
        return value

    @validates("catchment")
    def _check_catchment(self, key, value):
        if value not in Catchment.ALL:
            raise ValueError(f"catchment must be one of {', '.join(Catchment.ALL)}")
        return value

    @property
    def locations(self) -> list["Location"]:
        return [sal.location for sal in self.service_at_locations]

    def terms_in(self, vocabulary: str) -> list[TaxonomyTerm]:
        """Return this service's terms from one taxonomy (e.g. "service-type")."""
        return [t for t in self.terms if t.taxonomy.code == vocabulary]

    def term_codes(self, vocabulary: str) -> set[str]:
        return {t.code for t in self.terms_in(vocabulary)}

    # The two rules every query and page uses, in Python and (as `Service.is_listed` in a WHERE
    # clause) in SQL, so each is spelled once.
    @hybrid_property
    def is_listed(self) -> bool:
        """Whether search, the API and exports list it: published and active."""
        return is_listed(self.is_published, self.status)

    @is_listed.inplace.expression
    @classmethod
    def _is_listed_expression(cls):
        return and_(cls.is_published.is_(True), cls.status == "active")

    @hybrid_property
    def is_visible(self) -> bool:
        """Whether the public may see this listing at all (a closed one still has its page)."""
        return self.is_published and self.status != "defunct"

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_expression(cls):
        return and_(cls.is_published.is_(True), cls.status != "defunct")

    def __repr__(self):
        return f"<Service {self.name!r}>"


class Location(db.Model):
    """A place a service runs: physical (address, postcode) or virtual (phone, online, postal)."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("location_type IN ('physical', 'virtual', 'postal')", name="type_known"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    location_type: Mapped[str] = mapped_column(String(10), default="physical")
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    address_1: Mapped[str] = mapped_column(String(200), default="")
    address_2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="London")
    postcode: Mapped[str | None] = mapped_column(String(10))
    # Derived from the postcode where there is one; otherwise as the source stated it.
    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.ons_code"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    url: Mapped[str | None] = mapped_column(String(300))  # for virtual locations

    borough: Mapped[Borough | None] = relationship()
    # Without it the unit of work may insert a location before its organisation, which PostgreSQL's
    # foreign key refuses (SQLite does not check).
    organisation: Mapped[Organisation | None] = relationship()
    service_at_locations: Mapped[list["ServiceAtLocation"]] = relationship(back_populates="location")

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.address_1, self.address_2, self.city, self.postcode) if line]

    def __repr__(self):
        return f"<Location {self.name or self.address_1!r} {self.postcode or ''}>"


class ServiceAtLocation(db.Model):
    """A service delivered at a location, with that location's opening hours."""

    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id", name="service_location"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Shown when hours are not fixed, e.g. "By appointment" or "Walk-in times on the website".
    hours_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")
    schedules: Mapped[list["Schedule"]] = relationship(
        back_populates="service_at_location",
        cascade="all, delete-orphan",
        order_by="(Schedule.weekday, Schedule.opens_at)",
    )


class Schedule(db.Model):
    """One weekly opening session, in Europe/London local time.

    A session whose closing time is not after its opening time runs past midnight
    (e.g. 22:00-02:00); 00:00-00:00 means the whole day.
    """

    __tablename__ = "schedule"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_at_location_id: Mapped[str] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. "walk-in", "appointments only"

    service_at_location: Mapped[ServiceAtLocation] = relationship(back_populates="schedules")

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


class Phone(db.Model):
    """A phone number for a service. Seeded listings carry none: numbers come from the agencies."""

    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    service: Mapped[Service] = relationship(back_populates="phones")


class Pathway(db.Model):
    """A curated care pathway: ordered stages, each with the services at that stage."""

    __tablename__ = "pathway"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    stages: Mapped[list["PathwayStage"]] = relationship(
        back_populates="pathway", cascade="all, delete-orphan", order_by="PathwayStage.position"
    )


class PathwayStage(db.Model):
    """One step of a care pathway, e.g. "PEP within 72 hours"."""

    __tablename__ = "pathway_stage"
    __table_args__ = (UniqueConstraint("pathway_id", "position", name="pathway_position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    pathway: Mapped[Pathway] = relationship(back_populates="stages")
    services: Mapped[list[Service]] = relationship(
        secondary=pathway_stage_services, back_populates="pathway_stages", order_by=Service.name
    )
