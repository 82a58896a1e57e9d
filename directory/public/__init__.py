"""The public site: search, service pages, care pathways, signposting list."""

from flask import Blueprint

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("public", __name__)
