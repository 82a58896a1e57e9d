"""Sign-in sessions on the server: started at sign-in, ended by signing out, expired when idle or old.

Flask-Login's cookie holds only a session's random id; the database says whether it still works,
so signing out (or a password change, or an admin switching the account off) ends it everywhere
at once, and a copied cookie is worth nothing afterwards. People can list and end their own.

Functions stage changes; the view or command that calls them commits (STYLE.md 18).
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from .extensions import db
from .models import SignInSession, User
from .models.base import as_utc, utcnow
from .models.sessions import hash_token

# Last seen is a guide for people reading their list, and the clock for the idle limit: a write on
# every request would cost a database write per page, so it is written at most this often.
TOUCH_EVERY_MINUTES = 5

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and Android says "Linux".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
             ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Android", "Android"),
            ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
_UNKNOWN = "Unknown browser"


def describe_browser(user_agent: str | None) -> str:
    """Return a coarse name for a browser from its User-Agent, such as "Firefox on Windows"."""
    user_agent = (user_agent or "")[:1000]
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    if browser is None:
        return _UNKNOWN
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    return f"{browser} on {system}" if system else browser


def start(user: User, user_agent: str | None = "") -> SignInSession:
    """Start a session for `user` on this browser and make it the one `user.get_id()` names."""
    row = SignInSession.begin(user, describe_browser(user_agent))
    db.session.add(row)
    user.sign_in_session = row
    return row


def _live():
    """The SQL condition for a session that still works."""
    config = current_app.config
    now = utcnow()
    return (
        SignInSession.ended_at.is_(None),
        SignInSession.last_seen_at > now - timedelta(days=config["SESSION_IDLE_DAYS"]),
        SignInSession.created_at > now - timedelta(days=config["SESSION_MAX_DAYS"]),
    )


def find(token: str | None) -> SignInSession | None:
    """Return the working session a cookie names (its user attached to it), or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(SignInSession).join(SignInSession.user).where(
            SignInSession.token_hash == hash_token(token), User.is_active.is_(True), *_live()
        )
    )
    if row is None:
        return None
    row.token = token
    row.user.sign_in_session = row
    return row


def touch(row: SignInSession) -> bool:
    """Note that the session is in use, if it was not noted in the last few minutes; return whether."""
    now = utcnow()
    if as_utc(row.last_seen_at) > now - timedelta(minutes=TOUCH_EVERY_MINUTES):
        return False
    row.last_seen_at = now
    return True


def end(row: SignInSession) -> None:
    """End one session: its cookie stops working."""
    if row.ended_at is None:
        row.ended_at = utcnow()


def end_all(user: User, keep: SignInSession | None = None) -> int:
    """End every session of `user` except `keep`; return how many were ended."""
    query = update(SignInSession).where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
    if keep is not None and keep.id is not None:
        query = query.where(SignInSession.id != keep.id)
    return db.session.execute(query.values(ended_at=utcnow())).rowcount


def of(user: User) -> list[SignInSession]:
    """Return `user`'s working sessions, the most recently used first."""
    return db.session.scalars(
        select(SignInSession)
        .where(SignInSession.user_id == user.id, *_live())
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc())
    ).all()


def own(user: User, session_id: int) -> SignInSession | None:
    """Return one of `user`'s working sessions by its number, or None (someone else's is None too)."""
    return db.session.scalar(
        select(SignInSession).where(
            SignInSession.id == session_id, SignInSession.user_id == user.id, *_live()
        )
    )


def prune() -> int:
    """Delete sessions that were ended or have expired; return how many."""
    ended, recent, young = _live()
    return db.session.execute(
        delete(SignInSession).where(or_(~ended, ~recent, ~young)).execution_options(synchronize_session=False)
    ).rowcount
