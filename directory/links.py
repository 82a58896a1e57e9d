"""Absolute links to the directory, built on DIRECTORY_BASE_URL and never on a request's Host.

A Host header is whatever the client sent: a set-password link built from it could point at
another site. Links shown inside a page stay relative (url_for); this is for the ones sent on.
"""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, *, base_url: str | None = None, **values) -> str:
    """Return the absolute URL of `endpoint` on the configured base URL (or `base_url`)."""
    parts = urlsplit(base_url or current_app.config["DIRECTORY_BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
