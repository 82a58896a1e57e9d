"""The network the directory grew from: member agencies, their events and iCalendar feeds."""

from flask import Blueprint

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("network", __name__)
