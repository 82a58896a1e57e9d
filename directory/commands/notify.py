"""`flask --app wsgi notify review-summary`: email the admins what waits for review (run daily from cron)."""

import click

from .. import review_summary
from ..extensions import db


@click.group("notify")
def notify_cli():
    """Email people about work waiting for them."""


@notify_cli.command("review-summary")
def review_summary_command():
    """Stage today's summary of the review queue for each admin (once a day; none when it is empty)."""
    outcome = review_summary.send()
    if outcome.queue.is_empty:
        click.echo("Nothing waits for review; no summary sent.")
        return
    db.session.commit()
    queue = outcome.queue
    click.echo(
        f"Waiting: {len(queue.changes)} proposed change{'s' if len(queue.changes) != 1 else ''}, "
        f"{queue.reports} problem report{'s' if queue.reports != 1 else ''}, "
        f"{len(queue.content)} network proposal{'s' if len(queue.content) != 1 else ''}."
    )
    if outcome.sent_to:
        click.echo(
            f"Summary staged for {len(outcome.sent_to)} admin{'s' if len(outcome.sent_to) != 1 else ''}; "
            "`flask mail send` delivers it."
        )
    if outcome.already_told and not outcome.sent_to:
        click.echo("Today's summary was already sent to every admin; none sent again.")
    elif outcome.already_told:
        click.echo(f"{len(outcome.already_told)} already had today's summary; not sent again.")
    if not outcome.sent_to and not outcome.already_told:
        click.echo("No active admin to send it to.")
