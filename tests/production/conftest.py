"""Fixtures for the production tests: route walking and request-log capture."""

import json
import logging

import pytest

from directory.logging import logger as request_logger


def parameterless_get_routes(app) -> list[str]:
    """Return the path of every GET route that takes no URL parameters."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            paths.add(rule.rule)
    return sorted(paths)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def request_log():
    """Capture the JSON request-log lines written during the test."""
    capture = _Capture()
    request_logger.addHandler(capture)
    yield capture
    request_logger.removeHandler(capture)
