"""Email: staged in the outbox with the change that causes it, delivered later by `flask mail send`.

`queue()` renders a message from `templates/mail/<name>.txt` and stages one outbox row per address
in the caller's transaction: the caller commits (STYLE.md 18), so a rolled-back change sends
nothing. `delivery.send_waiting()` hands waiting messages to Flask-Mailman's configured backend
(SMTP in production, the console in development, in-memory in tests), retrying with back-off.

Messages say who sent them and why, carry links built on DIRECTORY_BASE_URL (never a request's
Host) and nothing about the people who search.
"""

from collections.abc import Iterable

from flask import current_app, g, has_request_context

from ..accounts import normalise_email
from ..extensions import db
from ..models import OutboxMessage
from .compose import compose


def queue(kind: str, to: str | Iterable[str], template: str, **context) -> list[OutboxMessage]:
    """Stage the message `templates/mail/<template>.txt` for each address in `to`; return the rows."""
    addresses = [to] if isinstance(to, str) else list(to)
    staged = []
    for address in dict.fromkeys(normalise_email(a) for a in addresses if a and "@" in a):
        message = compose(template, recipient=address, **context)
        row = OutboxMessage(
            kind=kind,
            recipient=address,
            subject=message.subject,
            text_body=message.text,
            html_body=message.html,
        )
        db.session.add(row)
        staged.append(row)
    if staged and has_request_context():
        g.mail_staged = True
    return staged


def init_app(app) -> None:
    """In development, deliver a request's mail as it ends (MAIL_SEND_AT_ONCE), so it shows at once."""

    @app.after_request
    def _send_at_once(response):
        if g.pop("mail_staged", False) and current_app.config.get("MAIL_SEND_AT_ONCE"):
            from .delivery import send_waiting

            db.session.rollback()  # whatever the view did not commit is not sent (nor committed here)
            try:
                send_waiting()
            except Exception:  # a convenience of development: a page never fails for its mail
                current_app.logger.exception("mail: could not deliver at once; `flask mail send` will")
                db.session.rollback()
        return response


__all__ = ["init_app", "queue"]
