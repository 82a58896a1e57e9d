"""`flask --app wsgi search ...`: rebuild and inspect this node's search index."""

import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Rebuild and inspect the search index.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the search index from the database."""
    from . import reindex

    started = time.monotonic()
    count = reindex()
    click.echo(f"Indexed {count} listings in {time.monotonic() - started:.1f}s.")


@search_cli.command("status")
def status_command():
    """Show whether the index is usable and how far it lags the change log."""
    from . import status

    report = status()
    state = "ok" if report["ok"] else f"needs rebuild ({report['problem']})"
    click.echo(
        f"Index {state}: applied change {report['applied_seq']} of {report['latest_seq']} "
        f"(lag {report['lag']}, open gaps {report['open_gaps']})."
    )
