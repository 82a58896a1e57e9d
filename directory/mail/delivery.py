"""Deliver what waits in the outbox, one message per transaction, retrying with back-off.

Run by `flask --app wsgi mail send` from cron or a timer. A server that is down, or refuses a
message, leaves it waiting with its error and the time of its next try; after MAIL_MAX_ATTEMPTS
tries it is given up (and shown as such in `flask mail status`), never deleted. Several nodes may
run it at once: on PostgreSQL each takes its messages with SKIP LOCKED, so none is sent twice. A sent
message keeps its recipient, subject, kind and times, not its body: bodies carry working links.
"""

import contextlib
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select

from .. import clock
from ..extensions import db, mail
from ..models import OutboxMessage
from ..models.base import as_utc

# Wait before the 2nd, 3rd, ... try; the last delay repeats until MAIL_MAX_ATTEMPTS.
BACK_OFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
            timedelta(hours=6), timedelta(hours=12))


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    errors: list[str] | None = None

    def __str__(self) -> str:
        text = f"Sent {self.sent}; {self.retrying} waiting to be tried again; {self.given_up} given up."
        if self.errors:
            text += " Last error: " + self.errors[-1]
        return text


def waiting(now=None):
    """Return a query of the messages due to be tried at `now`, oldest first."""
    now = now or clock.utcnow()
    return (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def send_waiting(limit: int = 500) -> DeliveryReport:
    """Try every due message once (up to `limit`), committing after each; return what happened.

    When the server cannot be reached at all, the rest of the due messages wait for their next try
    without each waiting for its own connection to time out.
    """
    report = DeliveryReport(errors=[])
    connection, unreachable = None, None
    tried: set[int] = set()
    try:
        while len(tried) < limit:
            query = waiting().limit(1).with_for_update(skip_locked=True)
            if tried:
                query = query.where(OutboxMessage.id.not_in(tried))
            message = db.session.scalar(query)
            if message is None:
                break
            tried.add(message.id)
            if connection is None and unreachable is None:
                connection, unreachable = _connect()
            if unreachable is not None:
                _failed(message, unreachable, report)
            else:
                try:
                    _deliver(message, connection)
                except (smtplib.SMTPException, OSError) as exc:
                    _failed(message, exc, report)
                    connection = _close(connection)  # a fresh connection for the next message
                else:
                    _sent(message)
                    report.sent += 1
            db.session.commit()
    finally:
        _close(connection)
    return report


def _connect():
    """Return (an open connection, None), or (None, why the server could not be reached)."""
    try:
        connection = mail.get_connection()
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        return None, exc
    except RuntimeError as exc:  # MAIL_BACKEND names no backend: the messages wait for the setting's fix
        return None, exc
    return connection, None


def _deliver(message: OutboxMessage, connection) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.recipient],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    email.send(fail_silently=False)


def _sent(message: OutboxMessage) -> None:
    message.sent_at = clock.utcnow()
    message.attempts += 1
    # The bodies carry working links (a password reset): once delivered, only the record is kept.
    message.text_body = ""
    message.html_body = ""


def _failed(message: OutboxMessage, exc: Exception, report: DeliveryReport) -> None:
    now = clock.utcnow()
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    report.errors.append(message.last_error)
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.failed_at = now
        report.given_up += 1
        current_app.logger.error("mail: gave up on message %s after %s tries", message.id, message.attempts)
        return
    message.next_attempt_at = now + BACK_OFF[min(message.attempts, len(BACK_OFF)) - 1]
    report.retrying += 1
    current_app.logger.warning("mail: message %s not sent (%s); next try %s",
                               message.id, type(exc).__name__, message.next_attempt_at.isoformat())


def _close(connection):
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):  # the server went away: nothing to close
            connection.close()
    return None


def status() -> dict[str, int]:
    """Count the outbox: sent, waiting (due now or later) and given up."""
    rows = db.session.execute(
        select(
            func.count(OutboxMessage.sent_at),
            func.count(OutboxMessage.failed_at),
            func.count(OutboxMessage.id),
        )
    ).one()
    sent, given_up, total = rows
    return {"sent": sent, "waiting": total - sent - given_up, "given_up": given_up}


def retry_given_up() -> int:
    """Put every given-up message back in the queue (after fixing the mail settings); return how many."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None),
                                                          OutboxMessage.sent_at.is_(None))).all()
    for row in rows:
        row.failed_at = None
        row.attempts = 0
        row.next_attempt_at = clock.utcnow()
    return len(rows)


def next_attempt_at():
    """Return when the earliest waiting message is next due, or None."""
    return as_utc(db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    ))
