"""A results page's links to other searches: its other pages, and itself with a filter dropped.

A results page links up to seven of its own pages, which differ only in the page number, and a dozen
variations of itself (each selected filter without it, "Clear filters", an open-now or spelling
alternative); url_for cost more for them than the rest of the page's links. So a page links its
pages by putting each number in the place of a stand-in in one link built by url_for, and builds
the others as url_for does (werkzeug's query string, with no route arguments to fill in) without its
rule lookups.

A speed trick only: with the `CARD_FRAMES` setting off every link is built by url_for, and tests
check that both ways give the same links, for many queries.
"""

from urllib.parse import urlencode

from flask import url_for

# A page number no link asks for (a page is at most 1000): the pattern holds it only where the page goes.
_PAGE_STAND_IN = "2147483646"
# What werkzeug leaves unquoted in a query string (werkzeug.urls._urlencode).
QUERY_SAFE = "!$'()*,/:;?@"


class SearchLinks:
    """One results page's links to searches, each to its results (`#results`)."""

    __slots__ = ("_query", "_list_ids", "_frames", "_path", "_page_parts")

    def __init__(self, query, list_ids: list[str], frames: bool = True):
        self._query, self._list_ids, self._frames = query, list_ids, frames
        self._path = self._page_parts = None  # worked out on first use

    def search(self, **values) -> str:
        """Return `url_for("public.search", _anchor="results", **values)`."""
        if not self._frames:
            return url_for("public.search", _anchor="results", **values)
        path = self._path
        if path is None:
            path = self._path = url_for("public.search")  # the script root and the route's path
        # As werkzeug: no None, each item of a list (or tuple or set) its own pair, in the order given.
        items = []
        for key, value in values.items():
            if isinstance(value, (list, tuple, set)):
                items.extend((key, v) for v in value if v is not None)
            elif value is not None:
                items.append((key, value))
        query = urlencode(items, safe=QUERY_SAFE)
        return f"{path}?{query}#results" if query else f"{path}#results"

    def page(self, n: int | None) -> str:
        """Return the link to page `n` of this search (None: the link naming no page, the first)."""
        parts = self._page_parts
        if parts is None:
            parts = self._page_parts = self._page_pattern()
        if not parts:
            return self.search(s=self._list_ids, **self._query.args(page=n))
        before, after, first = parts
        return before + "page=" + str(n) + after if n else first

    def _page_pattern(self) -> tuple[str, str, str] | tuple[()]:
        """Return the link to a page split where its number goes, and the link naming no page; or ()
        if the page's number cannot be told from the rest of the link."""
        if not self._frames:
            return ()
        pattern = self.search(s=self._list_ids, **self._query.args(page=_PAGE_STAND_IN))
        marked = "page=" + _PAGE_STAND_IN
        if pattern.count(_PAGE_STAND_IN) != 1 or marked not in pattern:  # the words may hold it too
            return ()
        before, after = pattern.split(marked)
        # Without a page: the pair and one "&" beside it go (or the "?" too, if it was the only pair).
        if before.endswith("&"):
            first = before[:-1] + after
        elif after.startswith("&"):
            first = before + after[1:]
        else:
            first = before[:-1] + after
        return before, after, first
