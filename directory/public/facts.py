"""The facts a worker decides on, worded for the public pages (cards, service page, print view)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import catchment
from ..models import Location, Service
from ..models.base import as_utc

# Audiences that make a listing "LGBTQ+-specific" rather than merely open to LGBTQ+ people.
LGBTQ_AUDIENCES = ("lgbtq", "gay-bi-msm", "trans-non-binary")
CONFIDENCE_MEANINGS = {
    "high": "confirmed by the service's own or an official page",
    "medium": "from reliable public sources, some details inferred",
    "low": "from a single or older source: check with the service before relying on it",
}


def is_lgbtq_specific(service: Service) -> bool:
    """Whether the service is specifically for LGBTQ+ people."""
    return lgbtq_specific(service.term_codes("audience"))


def lgbtq_specific(audience_codes) -> bool:
    return not set(audience_codes).isdisjoint(LGBTQ_AUDIENCES)


def term_names(service: Service, vocabulary: str) -> list[str]:
    return [t.name for t in service.terms_in(vocabulary)]


def where(service: Service) -> str:
    """Say where the service is: its boroughs, or phone/online when it has no physical place."""
    names = [loc.borough.name for loc in service.locations if loc.location_type == "physical" and loc.borough]
    return where_text(names, catchment.is_remote(service))


def where_text(borough_names, remote: bool) -> str:
    """Word `where` from the boroughs of a service's physical locations, in order."""
    boroughs = list(dict.fromkeys(borough_names))
    if boroughs:
        return ", ".join(boroughs)
    if remote:
        return "Phone or online"
    return "Location not stated"


def who_for(service: Service) -> str:
    """Say who the service is for: audiences and age limits."""
    return who_for_text(term_names(service, "audience"), service.minimum_age, service.maximum_age)


def who_for_text(audience_names, low: int | None, high: int | None) -> str:
    """Word `who_for` from audience names and age limits."""
    text = ", ".join(audience_names or ["Everyone"])
    if low is not None and high is not None:
        text += f" (ages {low}–{high})"
    elif low is not None:
        text += f" (aged {low} and over)"
    elif high is not None:
        text += f" (up to age {high})"
    return text


def openstreetmap_url(location: Location) -> str | None:
    """Return a link that opens the location in OpenStreetMap (a link, never an embedded map)."""
    if not location.has_coordinates:
        return None
    lat, lon = round(location.latitude, 5), round(location.longitude, 5)
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def source_urls(service: Service) -> list[str]:
    return [u.strip() for u in (service.source_urls or "").split("|") if u.strip()]


@dataclass(frozen=True)
class Freshness:
    state: str  # "verified", "stale", "never"
    verified_at: datetime | None

    @property
    def needs_notice(self) -> bool:
        return self.state != "verified"


def freshness(service: Service, moment: datetime, stale_after_days: int) -> Freshness:
    """Say whether a person has confirmed the listing recently, long ago, or never."""
    if service.verified_at is None:
        return Freshness("never", None)
    verified = as_utc(service.verified_at)
    if moment - verified > timedelta(days=stale_after_days):
        return Freshness("stale", verified)
    return Freshness("verified", verified)
