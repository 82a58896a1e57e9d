"""`flask --app wsgi search ...`: rebuild and inspect this node's search index."""

import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Rebuild and inspect the search index.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the search index from the database."""
    from ..search import reindex

    started = time.monotonic()
    count = reindex()
    click.echo(f"Indexed {count} listings in {time.monotonic() - started:.1f}s.")


@search_cli.command("status")
def status_command():
    """Show whether the index is usable and how far it lags the change log."""
    from ..search import status

    report = status()
    state = "ok" if report["ok"] else f"needs rebuild ({report['problem']})"
    click.echo(
        f"Index {state}: applied change {report['applied_seq']} of {report['latest_seq']} "
        f"(lag {report['lag']}, open gaps {report['open_gaps']})."
    )


@search_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep entries this many days old (default: INDEX_CHANGE_KEEP_DAYS, 30).")
def prune_command(days):
    """Delete old change-log entries (run daily); a node away for longer rebuilds its index."""
    from ..extensions import db
    from ..models.base import utcnow
    from ..search import changelog

    days = days or current_app.config["INDEX_CHANGE_KEEP_DAYS"]
    removed = changelog.prune(db.session, utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"Removed {removed} change-log entries older than {days} days.")
