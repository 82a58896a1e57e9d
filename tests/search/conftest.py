"""Fixtures for the search tests: a helper that searches and returns the names found."""

import pytest

from directory import search


@pytest.fixture
def find(app):
    """Search and return the names of all matches (every page), best first."""

    def find(text=None, **criteria):
        criteria.setdefault("per_page", None)
        result = search.search(search.SearchRequest(text=text, **criteria))
        return [hit.listing.name for hit in result.hits]

    return find


@pytest.fixture
def pathway(app):
    """Create a care pathway with one stage holding the given services."""
    from directory.extensions import db
    from directory.models import Pathway, PathwayStage

    def create(slug, name, services):
        path = Pathway(slug=slug, name=name, summary="")
        stage = PathwayStage(position=1, name="Start here", services=list(services))
        path.stages = [stage]
        db.session.add(path)
        db.session.commit()
        return path

    return create


def target_and_decoy(make, words: str, kind: str) -> None:
    """A listing ("Target") that says `words` and one ("Decoy") that does not, both of service type `kind`:
    one the words do not name, so the decoy cannot be found through its type."""
    make.service(name="Target", description=f"We offer {words} here.", types=(kind,))
    make.service(name="Decoy", description="Benefits help and debt advice.", types=(kind,))
