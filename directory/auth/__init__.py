"""The auth area: signing in and out, setting and changing passwords."""

from flask import Blueprint, g

from ..extensions import db, login_manager
from ..models import User

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str):
    """Load the signed-in user; a session from before a password change no longer matches."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


@bp.before_app_request
def _forget_cached_user():
    # Flask-Login caches the user on `g`, which lives as long as the app context. A request inside
    # an app context pushed by the caller (tests, scripts) shares it with earlier requests, so
    # load the user afresh for every request: never answer as the person who asked before.
    g.pop("_login_user", None)
