"""Emailed "still accurate" links: one editor, one listing, single use, expiring.

The token is signed with the app's SECRET_KEY, so a forged or altered one is refused before the
database is asked; it carries the link's id and a random secret of which only a sha256 is stored
(a database leak leaks no working link). The link is the authority: whoever opens it need not be
signed in, so every use checks again that its editor still edits that listing's organisation.

These functions stage their changes; the caller commits.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from . import audit, capacity, clock, moderation
from .extensions import db
from .models import ConfirmationLink, Membership, Service, User
from .models.base import as_utc
from .moderation.confirming import why_not_confirmable

SALT = "still-accurate-link"
ASK_AGAIN = "You can confirm the listing from its page after signing in."


class LinkError(ValueError):
    """A "still accurate" link cannot be used; the message is fit to show, `status` the HTTP answer."""

    def __init__(self, message: str, status: int, link: ConfirmationLink | None = None):
        super().__init__(message)
        self.status = status
        self.link = link


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(service: Service, user: User) -> str:
    """Create a link for `user` to confirm `service` and return its token (shown once, in the email)."""
    now = clock.utcnow()
    secret = secrets.token_urlsafe(24)
    link = ConfirmationLink(
        secret_hash=_hash(secret),
        service_id=service.id,
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["CONFIRMATION_LINK_DAYS"]),
    )
    db.session.add(link)
    db.session.flush()  # for its id
    return _serializer().dumps([link.id, secret])


def find(token: str) -> ConfirmationLink:
    """Return the usable link a token names, or raise LinkError saying why it cannot be used."""
    link_id, secret = _read(token)
    link = db.session.get(ConfirmationLink, link_id)
    if link is None or not hmac.compare_digest(link.secret_hash, _hash(secret)):
        raise LinkError("This link is not one the directory sent, or it has been removed. " + ASK_AGAIN, 404)
    if link.used_at is not None:
        raise LinkError(
            "This link has already been used: the listing was confirmed with it. " + ASK_AGAIN, 410, link
        )
    if as_utc(link.expires_at) <= clock.utcnow():
        raise LinkError("This link has expired. " + ASK_AGAIN, 410, link)
    if not link.service.is_listed:
        raise LinkError(
            f"{link.service.name} is no longer listed in the directory, so there is nothing to confirm.",
            410,
            link,
        )
    if not may_confirm(link.user, link.service):
        raise LinkError(
            "This link was sent to someone who no longer edits this organisation's listings, "
            "or whose account has been switched off. Ask a directory admin if you should.",
            403,
            link,
        )
    return link


def _read(token: str) -> tuple[int, str]:
    try:
        payload = _serializer().loads(token or "")
    except BadData:  # a bad signature, or (signed by us, so never) an unreadable payload
        payload = None
    valid = (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    )
    if not valid:
        raise LinkError(
            "This link is not valid: part of it may be missing. Open it from the email again, "
            "or copy all of it. " + ASK_AGAIN,
            404,
        )
    return payload[0], payload[1]


def may_confirm(user: User, service: Service) -> bool:
    """Return whether `user` may confirm `service` now: switched on and an editor of its organisation."""
    if not user.is_active:
        return False
    return db.session.get(Membership, (user.id, service.organisation_id)) is not None


def confirm(token: str) -> ConfirmationLink:
    """Mark the listing (and what it says about new referrals) still accurate, using the link up.

    Refused, with nothing changed, while a change to the listing waits for review: the editor
    has said it is not accurate as published.
    """
    link = find(token)
    service, user = link.service, link.user
    refused = why_not_confirmable(service)
    if refused:
        raise LinkError(refused, 409, link)
    now = clock.utcnow()
    # Used up in one conditional statement, so two clicks at once confirm only once.
    claimed = db.session.execute(
        update(ConfirmationLink)
        .where(ConfirmationLink.id == link.id, ConfirmationLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise LinkError("This link has already been used: the listing was confirmed with it. " + ASK_AGAIN,
                        410, link)
    set_committed_value(link, "used_at", now)  # already written by the statement above
    moderation.verify(service, user, method="agency")
    if service.capacity:
        capacity.confirm(service, user)
    audit.record("confirmation-link-used", actor=user, target=service, link=link.id)
    return link
