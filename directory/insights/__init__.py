"""The insights area: coverage, gaps and pathway completeness (public); unmet need and freshness (admins)."""

from flask import Blueprint

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("insights", __name__)
