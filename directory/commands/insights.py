"""`flask --app wsgi insights ...`: upkeep of the insight counts."""

import click
from flask.cli import AppGroup

from .. import unmet_need
from ..extensions import db

insights_cli = AppGroup("insights", help="Insight counts: retention.")


@insights_cli.command("purge")
def purge_command():
    """Delete unmet-need counts older than INSIGHTS_RETENTION_DAYS."""
    removed = unmet_need.purge()
    db.session.commit()
    click.echo(f"Deleted {removed} unmet-need count(s) older than the retention limit.")
