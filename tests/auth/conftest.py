"""Fixtures for accounts, sign-in and permissions: the shared people and `world` (accounts_helpers)."""

# Imported so pytest finds them here: rate limits start empty in every test, and `world` is at hand.
import pytest

from directory.extensions import db
from tests.accounts_helpers import _fresh_rate_limits, world  # noqa: F401
from tests.conftest import _app_for


@pytest.fixture
def limited_app(request, tmp_path):
    """An app with the rate limits on (the test configuration turns them off)."""
    app = _app_for(request, tmp_path, seeded=False, RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
