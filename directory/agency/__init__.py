"""The agency area: editors keep their own organisations' listings true."""

from flask import Blueprint

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("agency", __name__)
