"""Fixtures for the interchange tests: the ORUK schema check and examples the API tests use too."""

from tests.api.conftest import example, valid  # noqa: F401
