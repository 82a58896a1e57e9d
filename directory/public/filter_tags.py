"""The search's chosen filters as removable tags: what each asks for in words, and the link without it.

The results page shows them above the results (GOV.UK's "selected filters"), so on a phone the
filters can stay folded away and still be seen and dropped one by one. Links drop a filter by its
query-string parameter, never by its label.

A place read from the search words ("alcohol in Barnet") is a tag too, marked "from your search
words": its link searches again for the rest of the words. A borough implied by a postcode or an
area ("Lives in Lambeth (from SW9)") is its own tag: its link says `borough=any`, so that the
postcode, still there, does not imply it again.
"""

from dataclasses import dataclass

from ..search import Catalogue
from ..search.criteria import ANY_BOROUGH, FROM_WORDS, Understood
from .forms import FACETS, SearchQuery

FROM_WORDS_NOTE = "(from your search words)"


@dataclass(frozen=True)
class Tag:
    label: str  # what the filter asks for, as the page says it
    args: dict  # the query string without this filter


def without_borough(query: SearchQuery, understood: Understood | None) -> dict:
    """Return the changes to the query string that search with no borough filter at all."""
    understood = understood or Understood()
    has_origin = bool(query.postcode) or understood.postcode_from == FROM_WORDS
    # With a distance origin still there, no borough at all would let it imply one again.
    changes = {"borough": ANY_BOROUGH if has_origin else None}
    words = understood.words
    if words is not None and words.borough is not None and words.area is None:
        changes["q"] = words.text  # the borough's name is in the words: they would name it again
    return changes


def chosen(query: SearchQuery, catalogue: Catalogue, result=None) -> list[Tag]:
    """Return a tag for every filter the query sets, or its words or postcode imply (from `result`),
    in the order the filter panel lists them."""
    tags = []
    understood = result.understood if result is not None else Understood()
    words = understood.words

    def drop(label, **changes):
        tags.append(Tag(label, query.args(page=None, **changes)))

    if query.borough and query.borough != ANY_BOROUGH:
        borough = catalogue.boroughs.get(query.borough) or catalogue.boroughs.get(query.borough.upper())
        if borough:
            drop(f"Lives in {borough.name}", **without_borough(query, understood))
    elif understood.borough_from and result.borough is not None:
        implied_by = understood.borough_from
        source = FROM_WORDS_NOTE if implied_by == FROM_WORDS else f"(from {implied_by})"
        drop(f"Lives in {result.borough.name} {source}", **without_borough(query, understood))
    if query.elsewhere:
        borough = catalogue.boroughs.get(query.elsewhere) or catalogue.boroughs.get(query.elsewhere.upper())
        if borough:
            drop(f"Only for other boroughs' residents, not {borough.name}'s", elsewhere=None)
    nearest = {"sort": None} if query.sort == "distance" else {}
    if query.postcode:
        # The distance is measured from the postcode, so dropping the postcode drops both.
        drop(f"Near {query.postcode.upper()}{_within(query)}", postcode=None, miles=None, **nearest)
    elif understood.postcode_from == FROM_WORDS:
        drop(f"Near {words.postcode or words.area}{_within(query)} {FROM_WORDS_NOTE}",
             q=words.text, miles=None, **nearest)
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


def _within(query: SearchQuery) -> str:
    if not query.max_miles:
        return ""
    return f", within {query.max_miles:g} {'mile' if query.max_miles == 1 else 'miles'}"

