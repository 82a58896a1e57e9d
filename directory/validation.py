"""Rules a listing must satisfy whatever wrote it (a form, an import, the seed)."""

from .models import Catchment, Service


class ListingError(ValueError):
    """A listing broke a rule; the message says which, in words fit for the person who wrote it."""


def check_listing(service: Service) -> list[str]:
    """Return what is wrong with a listing (empty when it is fine)."""
    problems = []
    if not (service.name or "").strip():
        problems.append("A service needs a name.")
    if service.catchment == Catchment.BOROUGHS and not service.catchment_boroughs:
        problems.append("A service for residents of named boroughs must name at least one borough.")
    if (
        service.minimum_age is not None
        and service.maximum_age is not None
        and service.minimum_age > service.maximum_age
    ):
        problems.append("The minimum age must not be above the maximum age.")
    return problems
