"""The open-data API (Open Referral UK 3.0)."""

from flask import Blueprint

bp = Blueprint("api", __name__)
