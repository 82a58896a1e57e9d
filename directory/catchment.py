"""Can a resident of a borough use a service? One answer for search, pages, API and coverage.

A resident of X can use: services located in X (unless restricted to other boroughs' residents),
services whose catchment names X, London-wide, national and remote (phone, online, postal) services,
and open-access services wherever they are (anyone may walk into a sexual health clinic or A&E).
A service restricted to other boroughs' residents is not usable, wherever it is.
"""

from dataclasses import dataclass

from .models import Catchment, Service

EVERYWHERE = "ALL"  # index token: usable by a resident of any borough

LOCATED = "located"
NAMED = "named"
LONDON_WIDE = "london"
NATIONAL = "national"
REMOTE = "remote"
OPEN_ACCESS = "open_access"


@dataclass(frozen=True)
class Usable:
    reason: str
    label: str


def is_remote(service: Service) -> bool:
    """Whether the service has no physical location (phone, online or postal only)."""
    locations = service.locations
    if locations:
        return all(loc.location_type != "physical" for loc in locations)
    return bool(service.term_codes("delivery")) and "in-person" not in service.term_codes("delivery")


def located_in(service: Service) -> set[str]:
    """Return the ONS codes of the boroughs where the service has a physical location."""
    return {
        loc.borough_code for loc in service.locations if loc.location_type == "physical" and loc.borough_code
    }


def usable_by(service: Service, borough_code: str, borough_name: str = "") -> Usable | None:
    """Say why a resident of the borough can use the service, or None when they cannot."""
    name = borough_name or borough_code
    if service.catchment == Catchment.BOROUGHS:
        if borough_code in {b.ons_code for b in service.catchment_boroughs}:
            return Usable(NAMED, f"for {name} residents")
        return None
    if borough_code in located_in(service):
        return Usable(LOCATED, f"in {name}")
    if service.catchment == Catchment.LONDON:
        return Usable(LONDON_WIDE, "London-wide")
    if service.catchment == Catchment.NATIONAL:
        return Usable(NATIONAL, "national")
    if is_remote(service):
        return Usable(REMOTE, "phone/online")
    return Usable(OPEN_ACCESS, "open to anyone")


def resident_tokens(service: Service) -> set[str]:
    """Return the borough codes whose residents can use the service, or {EVERYWHERE}.

    The search index stores these so "usable by a resident of X" is one term lookup:
    X or EVERYWHERE.
    """
    if service.catchment == Catchment.BOROUGHS:
        return {b.ons_code for b in service.catchment_boroughs}
    # Located-in codes are kept beside EVERYWHERE: coverage and "why" labels still tell local from not.
    return located_in(service) | {EVERYWHERE}


def describe(service: Service) -> str:
    """Say who may use the service by where they live, in plain words."""
    if service.catchment == Catchment.BOROUGHS:
        names = [b.name for b in service.catchment_boroughs]
        if len(names) == 1:
            return f"Only for people who live in {names[0]}."
        return f"Only for people who live in {', '.join(names[:-1])} or {names[-1]}."
    if service.catchment == Catchment.LONDON:
        return "For anyone who lives in London."
    if service.catchment == Catchment.NATIONAL:
        return "For anyone in the UK."
    return "Open to anyone, wherever they live."
