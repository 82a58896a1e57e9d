"""Warm a server's app once, before it forks its workers.

gunicorn loads the app in its master process (`preload_app`), calls `warm`, then forks each
worker from it. What every worker would otherwise build for itself on its first few hundred
requests is then built once and shared: the search index's per-segment data (document names,
places, timetables, facet postings), the reference data search checks requests against, the
compiled templates, and each listing's card and text as results pages show them. A cold worker
spent about as much CPU on its first 100 results pages as on the next 300.

The master then closes its index files and database connections: each worker opens its own.
"""

import logging

from . import search
from .extensions import db
from .public import card_rendering

log = logging.getLogger(__name__)


def warm(app) -> None:
    """Build the shared read-only state; leave no database connection open."""
    with app.app_context():
        for name in app.jinja_env.list_templates(extensions=("html",)):
            app.jinja_env.get_template(name)
        try:
            search.ensure_index()
            # One search with no words, no filters and no page size counts every facet, reading every
            # segment, and reads every listing.
            listings = [hit.listing for hit in search.search(search.SearchRequest(per_page=None)).hits]
            card_rendering.warm(app.jinja_env.get_template("public/_macros.html").module, search.catalogue(),
                                listings, frames=app.config["CARD_FRAMES"])
            search.prepare_snippets(listings)
            # The word lists a query is read with: the English dictionary, the needs layer, the places.
            search.search(search.SearchRequest(text="condom split near SW9 8BS, wont wake up, sexual helth"))
        except Exception:  # noqa: BLE001  (the workers start cold and report the problem themselves)
            log.warning("warming the search index, cards and snippets before forking failed", exc_info=True)
        # Files and connections opened here must not be shared by the forked workers.
        search.close_index_files()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
