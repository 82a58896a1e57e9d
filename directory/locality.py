"""Local or reachable: how a borough's residents come to be able to use a service.

Coverage counts every usable service one of two ways, so a commissioner can tell a borough's own
provision from what its residents can reach elsewhere:

- **local**: the service has a physical place in the borough (and is not kept for other boroughs'
  residents), or its catchment names the borough (commissioned for its residents, wherever it is).
  An open-access clinic in Hackney is local to Hackney; a service commissioned for residents of
  Camden and Islington is local to both, even if its one address is in Camden; a London-wide
  service in Islington is local to Islington.
- **reachable**: usable by a resident but not local: London-wide, national, remote (phone, online,
  postal) and open-access services located in another borough. The London-wide service in
  Islington is reachable from every other borough.
- **neither**: a service kept for other boroughs' residents, wherever it is. One in Lambeth for
  Southwark residents is local to Southwark and nothing to Lambeth.

A physical place whose borough is not recorded counts towards no borough's local figure, so
coverage names such services (`is_unplaced`) rather than let them vanish from the local counts.

"Usable" is `catchment.resident_tokens`, the rule search answers with, so coverage and search never
disagree; the split matches `catchment.usable_by`'s reasons (located or named = local).
"""

from dataclasses import dataclass

from . import catchment
from .models import Catchment, Service


@dataclass(frozen=True)
class Reach:
    """The boroughs (ONS codes) to which a service is local, and those from which it is reachable."""

    local: frozenset[str]
    reachable: frozenset[str]


def reach(service: Service, borough_codes: set[str]) -> Reach:
    """Split the boroughs whose residents can use the service into local and reachable."""
    tokens = catchment.resident_tokens(service)
    if catchment.EVERYWHERE not in tokens:  # kept for named boroughs' residents: local to those only
        return Reach(frozenset(tokens & borough_codes), frozenset())
    # Beside EVERYWHERE the tokens keep the boroughs where it has a place: those are local.
    local = frozenset(tokens & borough_codes)
    return Reach(local, frozenset(borough_codes - local))


def is_unplaced(service: Service) -> bool:
    """Whether the service has a physical place whose borough is not recorded (and names no catchment)."""
    if service.catchment == Catchment.BOROUGHS:  # local to the boroughs it names, wherever it is
        return False
    return any(loc.location_type == "physical" and not loc.borough_code for loc in service.locations)
