"""The auth area: signing in and out, setting and changing passwords, your sign-in sessions."""

from flask import Blueprint, current_app, g, request
from flask_login import current_user

from .. import sign_in_sessions
from ..extensions import db, login_manager

# The routes are in views.py, which register_blueprints imports (importing it here would be a loop).
bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user of a working sign-in session; an ended, expired or unknown one is nobody."""
    row = sign_in_sessions.find(session_id)
    return row.user if row is not None else None


@bp.before_app_request
def _load_signed_in_user():
    # Flask-Login caches the user on `g`, which lives as long as the app context. A request inside
    # an app context pushed by the caller (tests, scripts) shares it with earlier requests, so
    # load the user afresh for every request: never answer as the person who asked before.
    g.pop("_login_user", None)
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return  # a visitor who never signed in: no session to read, and public pages stay cacheable
    # Loaded here, before any view stages changes, so that noting the session's use commits alone.
    user = current_user._get_current_object()
    if user.is_authenticated and sign_in_sessions.touch(user.sign_in_session):
        db.session.commit()
