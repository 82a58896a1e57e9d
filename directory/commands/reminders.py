"""`flask --app wsgi reminders queue`: remind agencies to confirm their listings (run daily from cron)."""

import click
from sqlalchemy.exc import IntegrityError

from .. import reminders
from ..extensions import db

# A second node running at the same moment may write the same reminders first: its commit wins and
# ours is refused whole (nothing of ours is sent), so run once more to send only what is left.
ATTEMPTS = 2


@click.group("reminders")
def reminders_cli():
    """Remind agencies to confirm their listings are still accurate."""


@reminders_cli.command("queue")
def queue_command():
    """Stage today's reminders (one email per organisation per editor); safe to run again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            report = reminders.queue_reminders()  # flushes as it goes: the refusal may come from here
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS:
                raise click.ClickException(
                    "Another run was sending the same reminders at the same time; nothing was sent by "
                    "this one. Run it again to send any that are left."
                ) from None
            continue
        click.echo(report.summary())
        return
