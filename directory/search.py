"""Full-text search (placeholder until the search module lands): see issue "Search"."""


def init_app(app):
    """Wire the search index to the app."""


def ensure_index():
    """Build the index when it is missing."""
