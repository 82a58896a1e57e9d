"""Errors in one place: HTML pages for browsers, JSON bodies under /api."""

from flask import jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db
from .search.store import IndexBusy


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, error: str, message: str, **extra):
    """Return an error as JSON under /api and as an HTML page elsewhere."""
    if wants_json():
        body = {"error": error, "message": message, **extra}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, error=error, message=message), status


def _headers_of(exc: HTTPException) -> dict:
    """Return the headers the exception carries (Allow on a 405, Retry-After...), less its Content-Type."""
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    if exc.code == 429:
        headers.setdefault("Retry-After", "60")
    return headers


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        body, status = error_response(exc.code or 500, exc.name, exc.description or "")
        return body, status, _headers_of(exc)

    @app.errorhandler(IndexBusy)
    def search_rebuilding(exc):
        body, status = error_response(
            ServiceUnavailable.code,
            "Service Unavailable",
            "Search is being rebuilt after a restart. Please try again in a minute.",
        )
        return body, status, {"Retry-After": "60"}

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        # The database went away: say so plainly instead of showing a stack trace.
        db.session.rollback()
        app.logger.error("database unavailable: %s", type(exc).__name__)
        return error_response(
            ServiceUnavailable.code,
            "Service Unavailable",
            "The directory cannot reach its database right now. Please try again in a few minutes.",
        )

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error")
        return error_response(
            InternalServerError.code, "Internal Server Error", "Something went wrong on our side."
        )
