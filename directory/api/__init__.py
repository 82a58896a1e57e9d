"""The open-data API (Open Referral UK 3.0): read-only, open, no key."""

from flask import Blueprint, current_app, request

from ..extensions import limiter

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("api", __name__)

DEFAULT_RATE_LIMIT = "600 per minute"  # generous enough for a council's nightly harvest


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT


limiter.limit(_rate_limit)(bp)


@bp.after_app_request
def allow_any_origin(response):
    # Open data: any site may read it from a browser. After-app so 404s and 429s get it too.
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
        )
    return response
