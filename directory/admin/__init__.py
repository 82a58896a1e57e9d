"""The admin area: organisations, editors, the review queue and the audit log."""

from flask import Blueprint

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("admin", __name__)
