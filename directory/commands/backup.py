"""`flask --app wsgi backup FILE | restore FILE`: every table to one file, and back into an empty database."""

import click

from ..backup import BackupError, restore_backup, write_backup


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file):
    """Write a consistent backup of every table to FILE (JSON lines)."""
    counts = write_backup(file)
    click.echo(f"Backed up {sum(counts.values())} rows from {len(counts)} tables to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore_command(file):
    """Restore a backup FILE into an empty database, then rebuild the search index."""
    try:
        counts = restore_backup(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    from .. import search

    # The index on this node described the old database; rebuild it from the restored one.
    indexed = search.reindex()
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables from {file}.")
    click.echo(f"Rebuilt the search index: {indexed} listings.")
