"""The search's chosen filters as removable tags: what each asks for in words, and the link without it.

The results page shows them above the results (GOV.UK's "selected filters"), so on a phone the
filters can stay folded away and still be seen and dropped one by one. Links drop a filter by its
query-string parameter, never by its label.
"""

from dataclasses import dataclass

from ..search import Catalogue
from .forms import FACETS, SearchQuery


@dataclass(frozen=True)
class Tag:
    label: str  # what the filter asks for, as the page says it
    args: dict  # the query string without this filter


def chosen(query: SearchQuery, catalogue: Catalogue) -> list[Tag]:
    """Return a tag for every filter the query sets, in the order the filter panel lists them."""
    tags = []

    def drop(label, **changes):
        tags.append(Tag(label, query.args(page=None, **changes)))

    if query.borough:
        borough = catalogue.boroughs.get(query.borough) or catalogue.boroughs.get(query.borough.upper())
        if borough:
            drop(f"Lives in {borough.name}", borough=None)
    if query.postcode:
        # The distance is measured from the postcode, so dropping the postcode drops both.
        near = f"Near {query.postcode.upper()}"
        if query.max_miles:
            near += f", within {query.max_miles:g} {'mile' if query.max_miles == 1 else 'miles'}"
        nearest = {"sort": None} if query.sort == "distance" else {}
        drop(near, postcode=None, miles=None, **nearest)
    if query.open_now:
        label = "Open now, or no hours listed" if query.include_unlisted else "Open now"
        drop(label, open=None, unlisted=None)
    for dimension in FACETS:
        codes = query.chosen.get(dimension.param, [])
        for code in codes:
            drop(catalogue.term_name(dimension.vocabulary, code),
                 **{dimension.param: [c for c in codes if c != code]})
    if query.pathway and query.pathway in catalogue.pathways:
        drop(f"Pathway: {catalogue.pathways[query.pathway]}", pathway=None)
    return tags

