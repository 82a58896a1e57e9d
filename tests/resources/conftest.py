"""Fixtures for harm-reduction resources: the shared people and `world`, with agency A a network member."""

import pytest

# Imported so pytest finds them here: rate limits start empty in every test, and `world` is at hand.
from tests.accounts_helpers import _fresh_rate_limits, world  # noqa: F401
from tests.resources.helpers import join_network


@pytest.fixture
def network(world):  # noqa: F811  (the fixture imported above)
    """`world` with agency A a network member since 2017 (B is not a member)."""
    join_network(world.org_a)
    return world
