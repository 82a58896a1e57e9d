"""Fixtures for accounts, sign-in and permissions: the shared people and `world` (accounts_helpers)."""

# Imported so pytest finds them here: rate limits start empty in every test, and `world` is at hand.
from tests.accounts_helpers import _fresh_rate_limits, world  # noqa: F401
