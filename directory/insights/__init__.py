"""The insights area."""

from flask import Blueprint

bp = Blueprint("insights", __name__)
