"""Harm-reduction resources: the public /resources pages and agencies' proposals of resources.

The public routes are in views.py and the agency ones in agency_views.py (on the agency
blueprint); register_blueprints imports both (importing them here would be a loop).
"""

from flask import Blueprint

bp = Blueprint("resources", __name__)
