"""The auth area."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from ..extensions import db, login_manager  # noqa: E402
from ..models import User  # noqa: E402


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
