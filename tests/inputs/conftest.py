"""Fixtures for the checks over every form and route: the shared people and `world`."""

# Imported so pytest finds them here: rate limits start empty in every test, and `world` is at hand.
from tests.accounts_helpers import _fresh_rate_limits, world  # noqa: F401
