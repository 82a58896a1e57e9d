"""`flask --app wsgi mail send | status | retry`: deliver the outbox (run `send` from cron or a timer)."""

import click

from ..extensions import db
from ..mail import delivery


@click.group("mail")
def mail_cli():
    """Deliver email waiting in the outbox."""


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most messages to try in this run.")
def send_command(limit):
    """Send every message that is due, retrying failures later with back-off."""
    report = delivery.send_waiting(limit=limit)
    click.echo(str(report))
    if report.retrying or report.given_up:
        raise SystemExit(1)  # so cron or a timer reports that mail is not going out


@mail_cli.command("status")
def status_command():
    """Count sent, waiting and given-up messages."""
    counts = delivery.status()
    upcoming = delivery.next_attempt_at()
    click.echo(f"Sent {counts['sent']}; waiting {counts['waiting']}; given up {counts['given_up']}.")
    if upcoming is not None:
        click.echo(f"Next try: {upcoming:%Y-%m-%d %H:%M} UTC.")


@mail_cli.command("retry")
def retry_command():
    """Put given-up messages back in the queue (after the mail settings are fixed)."""
    count = delivery.retry_given_up()
    db.session.commit()
    click.echo(f"{count} given-up message{'s' if count != 1 else ''} will be tried again.")
