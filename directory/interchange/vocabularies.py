"""Our vocabularies as ORUK: taxonomies, their terms, care pathways as one more taxonomy, attributes.

Our vocabularies travel as taxonomy terms linked to a service through `attributes`; a care pathway
is a term of the pathway taxonomy, whose id is fixed so links stay stable.
"""

from ..models import Pathway, Service, Taxonomy, TaxonomyTerm
from .oruk import PATHWAY_TAXONOMY_CODE, PATHWAY_TAXONOMY_ID, derived_id, merge


def taxonomy(tax: Taxonomy) -> dict:
    """Return one of our vocabularies as an ORUK taxonomy."""
    return {
        "id": tax.id,
        "name": tax.name,
        "description": tax.description or tax.name,
        **({"uri": tax.uri} if tax.uri else {}),
        "version": tax.version or "1",
    }


def pathway_taxonomy() -> dict:
    """Return the care pathways, presented as a taxonomy."""
    return {
        "id": PATHWAY_TAXONOMY_ID,
        "name": "Care pathway",
        "description": "Curated routes through services, e.g. chemsex support; "
        "a service on a pathway carries its term.",
        "version": "1",
    }


def taxonomy_term(term: TaxonomyTerm) -> dict:
    """Return a taxonomy term as ORUK JSON."""
    data = {
        "id": term.id,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": term.taxonomy.code,
        "taxonomy_id": term.taxonomy_id,
        "term": term.code,
        "code": term.code,
    }
    if term.parent_id:
        data["parent_id"] = term.parent_id
    return data


def pathway_term(pathway: Pathway) -> dict:
    """Return a care pathway as a taxonomy term."""
    return {
        "id": pathway.id,
        "name": pathway.name,
        "description": pathway.summary or pathway.name,
        "taxonomy": PATHWAY_TAXONOMY_CODE,
        "taxonomy_id": PATHWAY_TAXONOMY_ID,
        "term": pathway.slug,
        "code": pathway.slug,
    }


def attributes(service: Service, pathways=(), remainder: dict | None = None) -> list[dict]:
    """Return the service's taxonomy terms (types, audiences, routes, delivery, pathways) as attributes."""
    keyed = (remainder or {}).get("keyed", {})
    terms = sorted(service.terms, key=lambda t: (t.taxonomy.code, t.position, t.code))
    linked = [(t.id, taxonomy_term(t)) for t in terms] + [(p.id, pathway_term(p)) for p in pathways]
    return [
        merge(
            {"id": derived_id(service.id, "attribute", term_id), "link_type": "service"},
            keyed.get(f"attribute:{term_id}"),
            {"link_id": service.id, "taxonomy_term_id": term_id, "taxonomy_term": term},
        )
        for term_id, term in linked
    ]
