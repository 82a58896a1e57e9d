"""Structured request logs: one JSON line per request, with nothing about who asked for what.

A line holds the method, the route (its pattern, e.g. `/services/<service_id>`, never the query string,
where search terms and postcodes live), the status and the duration. No IP addresses, no user ids or
emails: a service user searching for chemsex support must leave no trace of it here.
"""

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime

from flask import g, request

logger = logging.getLogger("directory.requests")

_QUERY = re.compile(r"\?[^ ]*")


class _StderrHandler(logging.Handler):
    """Write each record to the current sys.stderr (gunicorn and pytest both swap it)."""

    def emit(self, record):
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break a request
            self.handleError(record)


class _StripQueryStrings(logging.Filter):
    """Drop query strings from the development server's request lines."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (_QUERY.sub("", record.args[0]), *record.args[1:])
        return True


def init_app(app):
    """Log one line per request (register first, so the timing covers every other hook)."""
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # Alembic's logging.config.fileConfig disables loggers that exist when migrations run in-process.
    logger.disabled = False
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _StripQueryStrings) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(_StripQueryStrings())

    app.before_request(_start_timer)
    app.after_request(_log_request)


def _start_timer():
    g._request_started = time.perf_counter()


def request_record(response) -> dict:
    """Return what is logged about the current request and its response."""
    started = g.get("_request_started")
    rule = request.url_rule
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": "request",
        "method": request.method,
        # The pattern, not the path: unmatched paths (404s) may hold anything someone typed.
        "route": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
    }


def _log_request(response):
    logger.info(json.dumps(request_record(response), separators=(",", ":")))
    return response
