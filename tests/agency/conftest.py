"""Fixtures for the agency area: the shared people and `world` (tests/accounts_helpers.py)."""

# Imported so pytest finds them here: rate limits start empty in every test, and `world` is at hand.
from tests.accounts_helpers import _fresh_rate_limits, world  # noqa: F401
