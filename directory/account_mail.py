"""Accounts by email: invitations, the set-password links an admin issues, and "Forgot your password?".

This sits above accounts.py: directory.mail imports accounts, so accounts cannot send mail itself.
Each function stages its message (and audit event) with the change; the view or command commits.
"""

from flask import current_app

from . import accounts, audit, mail, plain_text
from .links import external_url
from .mail.compose import compose
from .models import Organisation, User


def send_invitation(
    user: User, token: str, organisation: Organisation, by: User | None, also: list[Organisation] = ()
) -> None:
    """Email `user` the set-password link that makes them an editor of `organisation` (and of `also`)."""
    names = [o.name for o in [organisation, *also]]
    mail.queue(
        "invitation",
        user.email,
        "invitation",
        **_context(user, token, by, current_app.config.get("INVITATION_TTL_HOURS", 72)),
        organisation=organisation,
        organisations=names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}",
    )


def send_reset(user: User, token: str, by: User | None = None, hours: int | None = None) -> None:
    """Email `user` a set-password link: issued by an admin (`by`), or asked for on the sign-in page."""
    if hours is None:
        hours = current_app.config.get("INVITATION_TTL_HOURS", 72)
    mail.queue("password-reset", user.email, "password_reset", **_context(user, token, by, hours))


def request_reset(email: str, address: str) -> None:
    """Email a reset link if `email` is a real, active account; nothing at all otherwise.

    The page answers the same either way, and the work done is the same (one look-up, one update,
    one message composed, one audit event), so neither the answer nor its timing says whether
    the account exists. Only the two rows a real link adds differ, written at commit.
    """
    user = accounts.find_user(email)
    hours = current_app.config.get("RESET_LINK_HOURS", 2)
    sent = user is not None and user.is_active
    if sent:
        token = accounts.issue_link(user, "reset", hours=hours)
        send_reset(user, token, hours=hours)
    else:
        accounts.cancel_links(None)
        compose("password_reset", **_context(User(email="nobody@example.invalid"), "decoy", None, hours))
    shown = plain_text.printable(accounts.normalise_email(email))[:254]
    audit.record("password-reset-requested", target=user, email=shown, address=address or "", sent=sent)


def _context(user: User, token: str, by: User | None, hours: int) -> dict:
    return {
        "user": user,
        "by": _who(by),
        "link": external_url("auth.set_password", token=token),
        "sign_in": external_url("auth.login"),
        "forgot": external_url("auth.forgot_password"),
        "hours": hours,
    }


def _who(by: User | None) -> str:
    """How the message names the admin who sent the link ('' when it came from the command line)."""
    if by is None:
        return ""
    return f"{by.name} ({by.email})" if by.name else by.email
