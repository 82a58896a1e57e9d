"""The insights area: coverage, gaps and pathway completeness (public); unmet need and freshness (admins)."""

from flask import Blueprint

bp = Blueprint("insights", __name__)

from . import views  # noqa: E402, F401
