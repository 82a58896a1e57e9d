"""Words that find listings through their categories: the catalogue's lookup finds what a scan finds."""

import json
from pathlib import Path

from directory import search
from directory.search import query

QUERIES = Path(__file__).resolve().parents[2] / "benchmarks/relevance/queries.json"


def _scanned(catalogue, view, clause) -> int:
    # The rule as the catalogue documents it, over every category, pathway and borough name.
    bits = 0
    for field_name, code, stems, concepts in catalogue.expansions:
        if clause.concept:
            found = clause.concept in concepts or (len(clause.stems) == 1 and clause.stems[0] in stems)
        else:
            found = any(s in stems for s in clause.stems)
        if found:
            bits |= view.term(field_name, code)
    return bits


def test_a_clause_finds_the_same_categories_by_lookup_as_by_scanning_them_all(seeded_app):
    texts = [q["text"] for q in json.loads(QUERIES.read_text())["queries"]]
    texts += ["lambeth", "young people", "women", "drug and alcohol", "sexual health clinic", "pep"]
    catalogue = search.catalogue()
    state = seeded_app.extensions["search"]
    checked = found = 0
    with state.index.reading() as view:
        for words in texts:
            for clause in query.parse(words, view, catalogue).clauses:
                expected = _scanned(catalogue, view, clause)
                assert catalogue.expansion_bits(view, clause) == expected, (words, clause)
                checked += 1
                found += bool(expected)
    assert checked > 300 and found > 100  # the comparison covered clauses that do find categories


def test_every_way_a_clause_can_find_a_category_agrees_with_the_scan(seeded_app):
    # Clauses made from the catalogue's own words, so each branch of the rule is taken: a concept,
    # a concept typed as a category's one word, and several stems with no concept.
    catalogue = search.catalogue()
    stems = sorted({s for _, _, found, _ in catalogue.expansions for s in found})
    concepts = sorted({c for _, _, _, found in catalogue.expansions for c in found})
    clauses = [query.Clause(concept=c) for c in concepts]
    clauses += [query.Clause(concept=c, stems=[s]) for c, s in zip(concepts, stems * 3, strict=False)]
    clauses += [query.Clause(stems=[a, b]) for a, b in zip(stems, reversed(stems), strict=True)]
    clauses += [query.Clause(concept="no-such-concept", stems=[s]) for s in stems]
    clauses += [query.Clause(concept="no-such-concept", stems=["x", s]) for s in stems[:5]]
    state = seeded_app.extensions["search"]
    with state.index.reading() as view:
        for clause in clauses:
            assert catalogue.expansion_bits(view, clause) == _scanned(catalogue, view, clause), clause
    assert len(stems) > 50 and len(concepts) > 20
