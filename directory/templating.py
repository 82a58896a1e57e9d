"""Template filters and globals shared by every blueprint."""

from datetime import datetime

from flask import has_request_context, request
from flask import url_for as build_url

from . import clock
from .models.base import utcnow


def init_app(app):
    # Links with no per-page values (stylesheets, scripts, the navigation and footer) are the same on
    # every page: each is built once per script root, not fifteen times on every page.
    plain_urls: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        given = {name: value for name, value in values.items() if value is not None and value != []}
        plain = not given or (endpoint == "static" and given.keys() == {"filename"})
        if not plain or endpoint.startswith(".") or not has_request_context():
            return build_url(endpoint, **values)
        key = (endpoint, given.get("filename"), request.script_root)
        url = plain_urls.get(key)
        if url is None:
            url = plain_urls[key] = build_url(endpoint, **values)
        return url

    app.jinja_env.globals["url_for"] = url_for

    @app.template_filter("date")
    def format_date(value, fmt="%-d %B %Y"):
        if value is None:
            return ""
        return value.strftime(fmt)

    @app.template_filter("when")
    def format_when(value: datetime | None):
        if value is None:
            return "never"
        return value.astimezone(clock.LONDON).strftime("%-d %B %Y, %H:%M")

    exit_url = app.config["QUICK_EXIT_URL"]

    @app.context_processor
    def globals_():
        return {"now": clock.now, "utcnow": utcnow, "exit_url": exit_url}
