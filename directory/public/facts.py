"""The facts a worker decides on, worded for the public pages (cards, service page, print view)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import catchment, contact_details
from ..models import Location, Service
from ..models.base import as_utc
from ..moderation.workflow import VERIFICATION_METHODS

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


# -- what to do when a listing gives no phone number or no hours ---------------------------------
# Never a number, a time or a place the listing does not give: only what it does say, or who to ask.

MAX_HOURS_NOTE = 200


@dataclass(frozen=True)
class PhoneNumber:
    """A listed phone number as a card shows it, with what it is for ("appointments")."""

    number: str
    description: str = ""

    @property
    def href(self) -> str:
        """Return the number as a tel: link (digits and a leading +, as dialled)."""
        return tel_href(self.number)


def tel_href(number: str) -> str:
    """Return a tel: link for a phone number as written ("020 7123 4567" -> "tel:02071234567")."""
    digits = re.sub(r"[^0-9+]", "", number)
    return "tel:" + digits[:1] + digits[1:].replace("+", "")


def website(url: str | None) -> str:
    """Return the service's website if it is a usable http(s) address, else ""."""
    url = (url or "").strip()
    return url if url and contact_details.web_address_problem(url) is None else ""


@dataclass(frozen=True)
class NextStep:
    """What to do instead of phoning: `lead` says what is missing, `step` what to do (a link to
    `href` when there is one)."""

    lead: str
    step: str
    href: str = ""

    def __str__(self) -> str:
        """Say it as plain text (the print view, copied text), the link's address in brackets."""
        return f"{self.lead}: {self.step}" + (f" ({self.href})" if self.href else "")


def no_phone_step(site: str, route_codes, has_hours: bool) -> NextStep:
    """Say what to do about a service that lists no phone: its website, its referral route, or who to ask."""
    routes = set(route_codes)
    if site:
        return NextStep("No phone listed", "see their website", site)
    if {"gp-referral", "professional-referral"} <= routes:
        return NextStep("No phone listed", "ask your GP or another professional to refer you")
    if "gp-referral" in routes:
        return NextStep("No phone listed", "ask your GP to refer you")
    if "professional-referral" in routes:
        return NextStep("No phone listed", "ask a professional (a GP, clinic or support worker) to refer you")
    if "walk-in" in routes and has_hours:
        return NextStep("No phone listed", "walk in during its opening times")
    missing = "No phone listed" if has_hours else "No phone or opening times listed"
    return NextStep(missing, "ask NHS 111 or check with whoever referred you")


def service_no_phone_step(service: Service) -> NextStep | None:
    """Say what to do instead of phoning a loaded service (None when it lists a phone): for pages
    and print views that show a `Service` rather than a card."""
    if service.phones:
        return None
    has_hours = any(sal.schedules for sal in service.service_at_locations)
    return no_phone_step(website(service.url), service.term_codes("referral-route"), has_hours)


def no_hours_step(hours_note: str, has_phone: bool, site: str) -> str:
    """Say what to do about a service that lists no opening times: its own note, else how to check."""
    if hours_note:
        return hours_note
    if has_phone:
        return "Call before you go."
    if site:
        return "Check their website before you go."
    return ""  # nothing to check with: the contact line says who to ask


def hours_note_text(notes) -> str:
    """Join the locations' notes on opening times, each once, shortened to fit a card."""
    text = "; ".join(dict.fromkeys(n.strip() for n in notes if n and n.strip()))
    if len(text) <= MAX_HOURS_NOTE:
        return text
    cut = text.rfind(" ", 0, MAX_HOURS_NOTE)
    return text[: cut if cut > 0 else MAX_HOURS_NOTE] + "…"


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


def verified_how(service: Service) -> str:
    """Say how the last check was made, to follow its date (" by phone with the service"), or ""."""
    how = VERIFICATION_METHODS.get(service.verification_method or "", "")
    if not how:
        return ""
    return f", {how}" if service.verification_method == "agency" else f" {how}"
