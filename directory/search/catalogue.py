"""What search knows of the reference data: boroughs, taxonomy terms and care pathways.

Read from the database at most once a minute, so a results page costs no query for them. It also
holds the words that find listings through their categories, pathways and boroughs rather than
their own text (see `documents.py`: those names are not copied into every document).
"""

import math
import time
from dataclasses import dataclass

from sqlalchemy import select

from .. import dimensions
from ..extensions import db
from ..models import Borough, Pathway, Taxonomy, TaxonomyTerm
from . import text
from .borough import BoroughRef

__all__ = ["BoroughRef", "Catalogue", "Choice"]

CATALOGUE_SECONDS = 60


@dataclass(frozen=True)
class Choice:
    """An option of a filter: its code (a pathway's slug) and the name people see."""

    code: str
    name: str


class Catalogue:
    """Boroughs, taxonomy codes and pathways, read from the database at most once a minute."""

    def __init__(self):
        self.loaded_at = -math.inf

    def fresh(self, max_age: float = CATALOGUE_SECONDS) -> "Catalogue":
        if time.monotonic() - self.loaded_at > max_age:
            self._load()
        return self

    def _load(self):
        session = db.session
        boroughs = [BoroughRef(code, slug, name) for code, slug, name in
                    session.execute(select(Borough.ons_code, Borough.slug, Borough.name))]
        self.boroughs = {b.slug: b for b in boroughs} | {b.ons_code: b for b in boroughs}
        self.borough_slugs = {b.ons_code: b.slug for b in boroughs}
        self.borough_choices = sorted(boroughs, key=lambda b: b.name)
        terms = session.execute(
            select(Taxonomy.code, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.id,
                   TaxonomyTerm.description).join(Taxonomy)
            .order_by(Taxonomy.code, TaxonomyTerm.position, TaxonomyTerm.name)
        ).all()
        self.terms = {}
        self.term_ids = {}
        # Words that find listings through their categories rather than their own text:
        # (index field, code, stems of the name, concepts of the name and description).
        self.expansions = []
        self.stems = {}
        for vocabulary, code, name, term_id, description in terms:
            self.terms.setdefault(vocabulary, {})[code] = name
            self.term_ids[term_id] = name
            if vocabulary in dimensions.BY_VOCABULARY:
                self._expand(dimensions.BY_VOCABULARY[vocabulary].key, code, name, description)
        pathways = session.execute(
            select(Pathway.slug, Pathway.name, Pathway.summary).order_by(Pathway.position, Pathway.name)
        ).all()
        self.pathways = {slug: name for slug, name, _ in pathways}
        self.pathway_choices = [Choice(slug, name) for slug, name, _ in pathways]
        for slug, name, summary in pathways:
            self._expand("pathway", slug, name, summary)
        for b in boroughs:
            self._expand("located", b.ons_code, b.name, "")
            self._expand("residents", b.ons_code, b.name, "")
        # A concept found through the kinds of service that answer it ("smack": drug services), or
        # through kinds taken together ("helpline + drugs": a drugs information line answers "weed").
        self._joint_by_concept = {}
        vocabulary = text.vocabulary()
        for concept, codes in vocabulary.broader.items():
            for code in codes:
                key = self.dimension_of(code)
                if key:
                    self.expansions.append((key, code, set(), {concept}))
                elif "+" in code:
                    parts = [(self.dimension_of(part.strip()), part.strip()) for part in code.split("+")]
                    joint = tuple((key or "concepts", part) for key, part in parts
                                  if key or part in vocabulary.labels)
                    if len(joint) == len(parts):
                        self._joint_by_concept.setdefault(concept, []).append(joint)
        # Looked up by a clause's concept and stems: a search must not loop over every category.
        self._by_concept, self._by_stem = {}, {}
        for field_name, code, stems, concepts in self.expansions:
            for concept in concepts:
                self._by_concept.setdefault(concept, set()).add((field_name, code))
            for stem in stems:
                self._by_stem.setdefault(stem, set()).add((field_name, code))
        self.loaded_at = time.monotonic()

    def dimension_of(self, code: str) -> str | None:
        """Return the index field of a service type or audience code, or None if it is neither."""
        for dimension in dimensions.ALL:
            if code in self.terms.get(dimension.vocabulary, {}):
                return dimension.key
        return None

    def term_choices(self, vocabulary: str) -> list["Choice"]:
        """Return a taxonomy's terms in display order."""
        return [Choice(code, name) for code, name in self.terms.get(vocabulary, {}).items()]

    def term_name(self, vocabulary: str, code: str) -> str:
        return self.terms.get(vocabulary, {}).get(code, code)

    def borough_name(self, ons_code: str) -> str:
        borough = self.boroughs.get(ons_code)
        return borough.name if borough else ons_code

    def _expand(self, field_name, code, name, description):
        words = [w for w in text.tokens(name) if text.is_indexable(w)]
        stems = {text.stem(w) for w in words}
        for w in words:
            self.stems.setdefault(text.stem(w), w)
        concepts = set(text.concept_tokens(name)) | set(text.concept_tokens(description or ""))
        self.expansions.append((field_name, code, stems, concepts))

    def expansion_bits(self, view, clause) -> int:
        """Return the documents a clause finds through category, pathway and borough names."""
        if clause.concept:
            found = self._by_concept.get(clause.concept, set())
            if len(clause.stems) == 1:
                found = found | self._by_stem.get(clause.stems[0], set())
        else:
            found = set().union(*(self._by_stem.get(s, ()) for s in clause.stems))
        bits = 0
        for field_name, code in found:
            bits |= view.term(field_name, code)
        for joint in self._joint_by_concept.get(clause.concept or "", ()):
            both = view.live
            for field_name, code in joint:
                both &= view.term(field_name, code)
            bits |= both
        return bits
