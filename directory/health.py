"""`GET /healthz`: is this node able to serve, for load balancers and monitoring.

It says what state things are in and nothing more: no paths, versions, hostnames or error text.
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import search
from .extensions import db, limiter

bp = Blueprint("health", __name__)


def database_status() -> str:
    """Return "ok" when the database answers a trivial query, else "error"."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError:
        db.session.rollback()
        return "error"


def check() -> tuple[dict, int]:
    """Return the health report and its HTTP status."""
    database = database_status()
    if database != "ok":
        # The index cannot be judged without the change log, and nothing can be served anyway.
        return {"status": "unavailable", "database": database, "index": "unknown", "index_lag": None}, 503
    index = search.status()
    state = index_state(index["problem"])
    lagging = index["lag"] > current_app.config.get("HEALTH_MAX_INDEX_LAG", 100)
    overall = "ok" if state == "ok" and not lagging else "degraded"
    return {"status": overall, "database": database, "index": state, "index_lag": index["lag"]}, 200


def index_state(problem: str | None) -> str:
    """Name the index's state: ok, missing, or damaged (unreadable or an old schema).

    Searches keep working in every state: the next one rebuilds a missing or damaged index.
    """
    if problem is None:
        return "ok"
    return "missing" if problem == "missing" else "damaged"


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Report database and search index health as JSON (200 ok or degraded, 503 unavailable)."""
    report, status = check()
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
