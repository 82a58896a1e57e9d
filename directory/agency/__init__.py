"""The agency area."""

from flask import Blueprint

bp = Blueprint("agency", __name__)
