"""The agency area: editors keep their own organisations' listings true."""

from flask import Blueprint

bp = Blueprint("agency", __name__)

from . import views  # noqa: E402, F401
