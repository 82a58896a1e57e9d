"""Fixtures for the public site's tests: parsing pages, and the services they show."""

import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from directory.extensions import db
from directory.models import Service

# Wednesday 4 March 2026, 14:30 in London.
PINNED_NOW = "2026-03-04T14:30:00"


def page(response, status=200) -> BeautifulSoup:
    """Parse an HTML response after checking it is one, with the status expected."""
    assert response.status_code == status, response.status_code
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(node) -> str:
    """Return a node's visible text with whitespace collapsed."""
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


@pytest.fixture
def pinned(app):
    """Pin "now" to a Wednesday afternoon so open-now answers are fixed."""
    app.config["DIRECTORY_NOW"] = PINNED_NOW
    return PINNED_NOW


@pytest.fixture
def seeded_pinned(seeded_app):
    seeded_app.config["DIRECTORY_NOW"] = PINNED_NOW
    return PINNED_NOW


def seeded(name: str) -> Service:
    """Return a seeded service by its exact name."""
    found = db.session.scalar(select(Service).where(Service.name == name))
    assert found is not None, name
    return found
