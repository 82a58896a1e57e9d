"""The results page's filter options as frames: rendered once per catalogue load, joined per page.

Every results page shows each taxonomy's options (some twenty-five checkboxes, each with a count),
the boroughs and the care pathways as <select> options. Rendering them through their macros
(templates/public/_filters.html, borough_option in _search_fields.html) escaped every name and code
again on every page, more than the cards cost. Their markup changes only with the reference data,
and search re-reads that at most once a minute into its catalogue: so each option is rendered once
per catalogue load (frames.py: with stand-ins for the count), and a page joins the pieces with what is
its own (checked or selected, the counts). A new load of the catalogue (a borough, term or pathway
changed) makes new frames; so does a new macros module (templates reloaded).

A speed trick only: with the `CARD_FRAMES` setting off the page renders every option through its
macro, and tests check that both ways give the same bytes.
"""

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from flask import current_app
from markupsafe import Markup, escape

from ..search import Catalogue
from .forms import FACETS
from .frames import frame

# Catalogue -> its options as last built (one entry per app; dropped with the catalogue).
_built: "WeakKeyDictionary[Catalogue, _Options]" = WeakKeyDictionary()


@dataclass(frozen=True)
class Filters:
    """One page's filter options, ready to put in the page."""

    facets: Markup  # every taxonomy's fieldset of checkboxes
    borough_options: Markup  # the borough <select>'s options, after "Any London borough"
    pathway_options: Markup  # the care pathway <select>'s options, after "Any"


def for_page(catalogue: Catalogue, query, result) -> Filters:
    """Return the filter options of a results page asking `query`, with `result`'s counts (None: no
    search done, nothing counted)."""
    options = _options(catalogue)
    facets = result.facets if result else {}
    return Filters(options.facets(query, facets, bool(result)), options.boroughs(query.borough),
                   options.pathways(query.pathway, facets.get("pathway", {}), bool(result)))


def _options(catalogue: Catalogue) -> "_Options":
    env = current_app.jinja_env
    filters = env.get_template("public/_filters.html").module
    fields = env.get_template("public/_search_fields.html").module
    options = _built.get(catalogue)
    if (options is None or options.loaded_at != catalogue.loaded_at or options.filters is not filters
            or options.fields is not fields):
        options = _built[catalogue] = _Options(catalogue, filters, fields)
    return options


def warm(catalogue: Catalogue) -> None:
    """Build the catalogue's options now (a server, before it forks its workers)."""
    _options(catalogue)


def clear() -> None:
    """Forget every catalogue's options (they are built again on the next page)."""
    _built.clear()


def size() -> int:
    return len(_built)


def _count(n) -> str:
    # What `{{ count }}` writes: the number, escaped (a count is an int, which needs none).
    return str(n) if n.__class__ is int else str(escape(n))


class _Option:
    """One option's markup: split where its count goes, or whole when it shows no count."""

    __slots__ = ("pieces", "macro", "fixed")

    def __init__(self, macro, fixed: tuple, counted: bool):
        self.macro, self.fixed = macro, fixed
        if counted:
            self.pieces = frame(macro, fixed, ("count",))  # None: its own text holds a stand-in
        else:
            self.pieces = (str(macro(**dict(fixed), count=None)),)

    def __call__(self, count=None) -> str:
        pieces = self.pieces
        if pieces is None:
            return str(self.macro(**dict(self.fixed), count=count))
        if len(pieces) == 1:
            return pieces[0]
        return pieces[0] + _count(count) + pieces[1]


def _variants(macro, *fixed: tuple, flag: str) -> tuple[tuple[_Option, _Option], tuple[_Option, _Option]]:
    """Return an option with a count (unflagged, flagged) and without one (the same)."""
    return tuple(tuple(_Option(macro, (*fixed, (flag, on)), counted) for on in (False, True))
                 for counted in (True, False))


class _Options:
    """One catalogue load's filter options, rendered from one pair of macros modules."""

    def __init__(self, catalogue: Catalogue, filters, fields):
        self.loaded_at, self.filters, self.fields = catalogue.loaded_at, filters, fields
        self.hidden = str(filters.facet_hidden())
        # Per taxonomy: its fieldset around the options, and per term its code and its option with
        # a count and without one, each a pair: unchecked, checked.
        self._facets = []
        for dimension in FACETS:
            fieldset = frame(filters.facet, (("dimension", dimension),), ("options",))
            terms = [(term.code, *_variants(filters.facet_option, ("dimension", dimension), ("term", term),
                                            flag="checked"))
                     for term in catalogue.term_choices(dimension.vocabulary)]
            self._facets.append((dimension, fieldset, terms))
        # Boroughs: each option unselected and selected, and all of them with none selected.
        self._boroughs = [tuple(str(fields.borough_option(borough=b, selected=s)) for s in (False, True))
                          for b in catalogue.borough_choices]
        self._none_selected = Markup("".join(b[0] for b in self._boroughs))  # noqa: S704  (macros' output)
        self._by_slug = {b.slug: i for i, b in enumerate(catalogue.borough_choices)}
        self._by_code = {b.ons_code: i for i, b in enumerate(catalogue.borough_choices)}
        # Pathways as the terms are, by whether each is selected.
        self._pathways = [(p.code, *_variants(filters.pathway_option, ("pathway", p), flag="selected"))
                          for p in catalogue.pathway_choices]

    def facets(self, query, counts: dict, counted: bool) -> Markup:
        """Return every taxonomy's fieldset, as the loop in results.html writes it."""
        out = []
        hidden = self.hidden
        for dimension, fieldset, terms in self._facets:
            found = counts.get(dimension.key, {})
            chosen = query.chosen[dimension.param]
            options = []
            for code, with_count, without_count in terms:
                n = found.get(code, 0)
                checked = code in chosen
                if not counted:
                    options.append(without_count[checked]())
                elif n or checked:
                    options.append(with_count[checked](n))
                else:
                    options.append(hidden)  # no result has it and nobody chose it
            joined = Markup("".join(options))  # noqa: S704  (the macros' output and counts)
            out.append(_fieldset(self.filters, dimension, fieldset, joined))
        return Markup("".join(out))  # noqa: S704  (the macros' output)

    def boroughs(self, chosen: str) -> Markup:
        """Return the borough options with the one `chosen` names (by slug or ONS code) selected."""
        selected = {self._by_slug.get(chosen), self._by_code.get(chosen.upper())} - {None}
        if not selected:
            return self._none_selected
        return Markup("".join(b[i in selected] for i, b in enumerate(self._boroughs)))  # noqa: S704

    def pathways(self, chosen: str, counts: dict, counted: bool) -> Markup:
        """Return the pathway options, `chosen` selected, each with its count if `counted`."""
        if counted:
            out = [with_count[code == chosen](counts.get(code, 0)) for code, with_count, _ in self._pathways]
        else:
            out = [without_count[code == chosen]() for code, _, without_count in self._pathways]
        return Markup("".join(out))  # noqa: S704  (the macros' output and counts)


def _fieldset(filters, dimension, fieldset, options: Markup) -> str:
    """Return a taxonomy's fieldset around its options: from its frame, or whole if it has none."""
    if fieldset is None:  # the taxonomy's own heading holds a stand-in
        return str(filters.facet(dimension=dimension, options=options))
    return "".join((fieldset[0], options, fieldset[1]))  # not `+`: Markup would escape the frame

