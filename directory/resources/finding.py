"""Which harm-reduction resources a search's words are about, for the results page's box.

Resources are few, so they are matched in memory on the published ones, with the service
search's own words: the same tokens, stems and vocabulary concepts (`search/text.py`), so "tina"
finds a resource that says "crystal meth" just as it finds such a service. As in the service
search, every word (or concept) typed must be found in the resource.

A results page reads no rows but its one visibility re-check, so the published resources, read
for matching, are kept per app (`Shelf`): read again when `RESOURCE_SEARCH_SECONDS` old (60; 0
reads them for every search), and at once after this process commits a change to a resource.
Another node or worker sees a change within that time.
"""

import time
from dataclasses import dataclass

from flask import current_app

from .. import commits
from ..models import Resource
from ..search import text
from . import catalogue

DEFAULT_SECONDS = 60.0
_KEY = "resource_search"


@dataclass(frozen=True)
class Found:
    """A published resource as the results page's box shows and matches it."""

    id: str
    name: str
    format_label: str
    producer_label: str
    stems: frozenset[str]
    concepts: frozenset[str]


def _found(resource: Resource) -> Found:
    # What it is, who it is for, who makes it, how to get it and its format: what people search by.
    parts = (
        resource.name, resource.description, resource.audience, resource.producer_label,
        resource.how_to_get, resource.format_label,
    )
    joined = " ".join(p for p in parts if p)
    stems = frozenset(text.stem(w) for w in text.tokens(joined))
    return Found(resource.id, resource.name, resource.format_label, resource.producer_label, stems,
                 frozenset(text.concept_tokens(joined)))


class Shelf:
    """One app's published resources, read for matching, and when they were read."""

    def __init__(self):
        self.found: list[Found] | None = None
        self.read_at = 0.0

    def current(self, seconds: float) -> list[Found]:
        if self.found is None or seconds <= 0 or time.monotonic() - self.read_at >= seconds:
            self.found = [_found(r) for r in catalogue.published()]
            self.read_at = time.monotonic()
        return self.found

    def clear(self) -> None:
        self.found = None


def shelf() -> Shelf:
    """Return this app's shelf of published resources (one per app)."""
    return current_app.extensions.setdefault(_KEY, Shelf())


def published() -> list[Found]:
    """Return the published resources for matching (kept as the module docstring says)."""
    return shelf().current(float(current_app.config.get("RESOURCE_SEARCH_SECONDS", DEFAULT_SECONDS)))


def _clauses(words: str) -> list[tuple[str | None, str | None]]:
    """Return (concept, stem) clauses for typed words: a vocabulary phrase is one concept clause."""
    tokens = text.tokens(words)
    stems = [text.stem(w) for w in tokens]
    covered, clauses = set(), []
    # With the words as typed, as the service search reads them: an everyday word that only shares a stem
    # with slang is not it ("change" is not "chang", cocaine).
    for concept, first, last in text.vocabulary().concepts_in_stems(stems, words=tokens):
        covered.update(range(first, last))
        clauses.append((concept, stems[first] if last - first == 1 else None))
    clauses += [(None, stems[i]) for i, w in enumerate(tokens) if i not in covered and text.is_indexable(w)]
    return clauses


def matching(words: str, resources: list[Found] | None = None) -> list[Found]:
    """Return the published resources every clause of `words` matches, by name; none for no words."""
    clauses = _clauses(words or "")
    if not clauses:
        return []
    return [
        r for r in (published() if resources is None else resources)
        if all((c and c in r.concepts) or (s and s in r.stems) for c, s in clauses)
    ]


def _forget_published():
    found = current_app.extensions.get(_KEY)
    if found is not None:
        found.clear()


commits.after_commit("resources", commits.changed(Resource), _forget_published)
