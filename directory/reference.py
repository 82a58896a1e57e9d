"""Load the reference data every installation needs: boroughs and taxonomies."""

import json
import uuid
from functools import cache
from pathlib import Path

from sqlalchemy import select

from . import geo
from .extensions import db
from .models import Borough, Taxonomy, TaxonomyTerm

TAXONOMIES_FILE = Path(__file__).parent / "data" / "taxonomies.json"
# Taxonomy ids are derived from codes, so every installation publishes the same ids in its open data.
_ID_NAMESPACE = uuid.UUID("6f1c2a4e-2d1b-4c1e-9a51-3c8e0d7b5a10")


def taxonomy_id(code: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"taxonomy:{code}"))


def taxonomy_term_id(taxonomy_code: str, code: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"term:{taxonomy_code}:{code}"))


def load_reference_data() -> dict[str, int]:
    """Create or update the 33 boroughs and the taxonomies; idempotent. Return row counts.

    Stages the rows; the caller commits.
    """
    for row in geo.boroughs():
        borough = db.session.get(Borough, row["ons_code"]) or Borough(ons_code=row["ons_code"])
        borough.slug = row["slug"]
        borough.name = row["name"]
        borough.inner_outer = row["inner_outer"]
        borough.centroid_lat = float(row["centroid_lat"])
        borough.centroid_lon = float(row["centroid_lon"])
        db.session.add(borough)

    spec = json.loads(TAXONOMIES_FILE.read_text(encoding="utf-8"))
    for t in spec["taxonomies"]:
        taxonomy = db.session.scalar(select(Taxonomy).where(Taxonomy.code == t["code"]))
        if taxonomy is None:
            taxonomy = Taxonomy(id=taxonomy_id(t["code"]), code=t["code"])
            db.session.add(taxonomy)
        taxonomy.name = t["name"]
        taxonomy.description = t.get("description", "")
        taxonomy.version = "1"
        existing = {term.code: term for term in taxonomy.terms}
        for position, term_spec in enumerate(t["terms"]):
            term = existing.get(term_spec["code"]) or TaxonomyTerm(
                id=taxonomy_term_id(t["code"], term_spec["code"]), code=term_spec["code"], taxonomy=taxonomy
            )
            existing[term.code] = term
            parent = existing.get(term_spec.get("parent", ""))
            term.parent_id = parent.id if parent is not None else None
            term.name = term_spec["name"]
            term.description = term_spec.get("description", "")
            term.position = position
            db.session.add(term)
    return {
        "boroughs": db.session.query(Borough).count(),
        "taxonomy_terms": db.session.query(TaxonomyTerm).count(),
    }


@cache
def _parents() -> dict[tuple[str, str], str]:
    spec = json.loads(TAXONOMIES_FILE.read_text(encoding="utf-8"))
    return {
        (t["code"], term["code"]): term["parent"]
        for t in spec["taxonomies"]
        for term in t["terms"]
        if term.get("parent")
    }


def with_implied(vocabulary: str, codes) -> set[str]:
    """Return the codes plus the terms they imply ("walk-in" implies "self-referral")."""
    result = set(codes)
    for code in codes:
        parent = _parents().get((vocabulary, code))
        while parent and parent not in result:
            result.add(parent)
            parent = _parents().get((vocabulary, parent))
    return result


def term(vocabulary: str, code: str) -> TaxonomyTerm | None:
    """Return the taxonomy term `code` of `vocabulary` (e.g. "audience", "lgbtq")."""
    return db.session.scalar(
        select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.code == vocabulary, TaxonomyTerm.code == code)
    )


def terms_by_vocabulary() -> dict[str, list[TaxonomyTerm]]:
    """Return every taxonomy's terms in display order, keyed by taxonomy code."""
    taxonomies = db.session.scalars(select(Taxonomy).order_by(Taxonomy.code)).all()
    return {t.code: list(t.terms) for t in taxonomies}


def borough_by_slug_or_code(value: str) -> Borough | None:
    """Return a borough from its slug ("lambeth") or ONS code ("E09000022")."""
    value = (value or "").strip()
    if not value:
        return None
    return db.session.get(Borough, value.upper()) or db.session.scalar(
        select(Borough).where(Borough.slug == value.lower())
    )
