"""People who sign in: passwords, invitation and reset links, roles.

A link is shown once to whoever issued it (an admin, or the CLI for the first admin), and
directory/account_mail.py emails it too (mail imports this module, so it cannot send mail itself).
Only a SHA-256 hash of the token is stored.

The functions here stage changes (with their audit events) and raise AccountError; the view or CLI
command that calls them commits (STYLE.md 18).
"""

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, clock, plain_text, sign_in_sessions
from .extensions import db
from .models import Invitation, Membership, Organisation, SignInSession, User
from .models.base import as_utc, utcnow

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
# Checked against when the email is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password, only a timing decoy", method="scrypt")


class AccountError(ValueError):
    """An account action was refused; the message is fit to show the user."""


class LinkError(AccountError):
    """A set-password link is unknown, used or expired."""


@cache
def common_passwords() -> frozenset[str]:
    """Return the bundled list of common passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, email: str = "") -> str | None:
    """Return why a password may not be used, or None when it is fine."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good password."
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return "That password is too common and easy to guess. Try a few unrelated words."
    local_part = normalise_email(email).partition("@")[0]
    if local_part and len(local_part) >= 4 and local_part in lowered:
        return "Your password must not contain your email address."
    if len(set(lowered)) < 4:
        return "That password repeats too few characters to be safe."
    return None


def set_password(user: User, password: str, keep: SignInSession | None = None) -> None:
    """Hash and store a new password and end every session of the user's but `keep`."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password, method="scrypt")
    # Other browsers, and any stolen cookie, stop working with the old password.
    sign_in_sessions.end_all(user, keep=keep)


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user if user.is_active else None


def find_user(email: str) -> User | None:
    email = normalise_email(email)
    if plain_text.has_control_characters(email) or len(email) > 254:
        return None  # no stored address holds one, and PostgreSQL refuses a NUL in a query
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def record_sign_in(user: User) -> None:
    """Note a successful sign-in."""
    user.last_login_at = utcnow()
    audit.record("sign-in", actor=user, target=user)


def record_failed_sign_in(email: str, address: str) -> None:
    """Note a failed sign-in (the password tried is never stored)."""
    user = find_user(email)
    shown = plain_text.printable(normalise_email(email))[:254]
    audit.record("sign-in-failed", target=user, email=shown, address=address or "")


def record_sign_out(user: User) -> None:
    """End the session the user signed out of, and note it."""
    if user.sign_in_session is not None:
        sign_in_sessions.end(user.sign_in_session)
    audit.record("sign-out", actor=user, target=user)


def change_password(user: User, current: str, new: str) -> None:
    """Change a signed-in user's password after checking the current one; only this session stays."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise AccountError("Your current password is not right.")
    set_password(user, new, keep=user.sign_in_session)
    audit.record("password-changed", actor=user, target=user)


# --- Links -----------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cancel_links(user: User | None) -> None:
    """Use up every unused link of `user`; None matches nobody (the same query, for equal timing)."""
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == (user.id if user is not None else None), Invitation.used_at.is_(None))
        .values(used_at=clock.utcnow())
    )


def issue_link(
    user: User, purpose: str, created_by: User | None = None, hours: int | None = None
) -> str:
    """Create a single-use set-password link for `user` and return its token (shown once).

    It expires after `hours` (INVITATION_TTL_HOURS unless given). Issuing a link cancels any
    earlier unused one for the same person.
    """
    now = clock.utcnow()  # the fake clock, so tests can see a link expire
    cancel_links(user)
    token = secrets.token_urlsafe(32)
    if hours is None:
        hours = current_app.config.get("INVITATION_TTL_HOURS", 72)
    db.session.add(
        Invitation(
            token_hash=_hash_token(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=now + timedelta(hours=hours),
            created_by_id=created_by.id if created_by is not None else None,
        )
    )
    return token


def find_link(token: str) -> Invitation:
    """Return the usable invitation for a token, or raise LinkError saying why not."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token or ""))
    )
    if invitation is None:
        raise LinkError("This link is not valid. Check you copied all of it, or ask an admin for a new one.")
    if invitation.used_at is not None:
        raise LinkError("This link has already been used or was replaced. Ask for a new one below.")
    if as_utc(invitation.expires_at) <= clock.utcnow():
        raise LinkError("This link has expired. Ask for a new one below.")
    if not invitation.user.is_active:
        raise LinkError("This account has been switched off. Ask an admin if you need it back.")
    return invitation


def complete_link(token: str, password: str) -> User:
    """Set the password from a link, use the link up, and return the user."""
    invitation = find_link(token)
    user = invitation.user
    set_password(user, password)
    invitation.used_at = utcnow()
    audit.record("password-set", actor=user, target=user, purpose=invitation.purpose)
    return user


# --- People and roles ------------------------------------------------------------------------


def create_admin(email: str, by: User | None = None) -> User:
    """Create a directory admin (or make an existing user one) with no password yet."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("Enter an email address.")
    user = find_user(email)
    if user is None:
        user = User(email=email, is_admin=True)
        db.session.add(user)
    elif not user.is_admin:
        user.is_admin = True
    db.session.flush()
    audit.record("admin-granted", actor=by, target=user)
    return user


def invite_editor(
    email: str, organisation: Organisation, by: User | None, name: str = ""
) -> tuple[User, str]:
    """Make `email` an editor of `organisation` and return (user, token for a set-password link).

    `by` is the admin, or None for the command line.
    """
    email = normalise_email(email)
    user = find_user(email)
    if user is None:
        user = User(email=email, name=(name or "").strip())
        db.session.add(user)
        db.session.flush()
    elif not user.is_active:
        raise AccountError(f"{email} has been switched off. Switch the account back on first.")
    if organisation.id not in user.organisation_ids:
        user.memberships.append(Membership(organisation=organisation))
        audit.record("membership-granted", actor=by, target=user, organisation=organisation.name)
    db.session.flush()
    token = issue_link(user, "invite" if not user.password_hash else "reset", created_by=by)
    audit.record("invitation-issued", actor=by, target=user, organisation=organisation.name)
    return user, token


def issue_reset(user: User, by: User) -> str:
    """Issue a new set-password link for `user`; their current password keeps working until used."""
    if not user.is_active:
        raise AccountError("This account is switched off. Switch it back on first.")
    token = issue_link(user, "reset", created_by=by)
    audit.record("reset-link-issued", actor=by, target=user)
    return token


def remove_membership(user: User, organisation: Organisation, by: User) -> None:
    """Stop `user` editing `organisation`'s listings."""
    membership = db.session.get(Membership, (user.id, organisation.id))
    if membership is None:
        return
    db.session.delete(membership)
    audit.record("membership-removed", actor=by, target=user, organisation=organisation.name)


def set_active(user: User, active: bool, by: User) -> None:
    """Switch an account on or off; switching off signs the person out everywhere."""
    if user.id == by.id and not active:
        raise AccountError("You cannot switch off your own account.")
    if user.is_active == active:
        return
    user.is_active = active
    sign_in_sessions.end_all(user)
    audit.record("account-enabled" if active else "account-disabled", actor=by, target=user)


def set_admin(user: User, is_admin: bool, by: User) -> None:
    """Grant or remove directory admin rights."""
    if user.id == by.id and not is_admin:
        raise AccountError("You cannot remove your own admin rights.")
    if user.is_admin == is_admin:
        return
    user.is_admin = is_admin
    audit.record("admin-granted" if is_admin else "admin-removed", actor=by, target=user)


def create_organisation(
    name: str, by: User, website: str | None = None, email: str | None = None
) -> Organisation:
    """Create an agency."""
    name = (name or "").strip()
    if not name:
        raise AccountError("Enter the organisation's name.")
    if db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower())):
        raise AccountError(f"There is already an organisation called {name}.")
    organisation = Organisation(name=name, website=website or None, email=email or None)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation-created", actor=by, target=organisation, name=name)
    return organisation
