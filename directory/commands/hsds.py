"""`flask --app wsgi hsds ...`: exchange Open Referral UK 3.0 (HSDS) data with other directories."""

import gc
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .. import search
from ..extensions import db
from ..interchange.apply import stage_records
from ..interchange.csv_export import export_csv
from ..interchange.export import export_services
from ..interchange.records import ImportFileError, read_records
from ..interchange.report import ImportReport


def import_records(
    records: list, *, dry_run=False, skip_invalid=False, allow_reassign=False, source="import", progress=None
) -> ImportReport:
    """Validate and import ORUK services as one transaction: staged, then committed (a dry run rolls back)."""
    report = stage_records(
        records,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        allow_reassign=allow_reassign,
        source=source,
        progress=progress,
    )
    if report.staged and dry_run:
        db.session.rollback()
    elif report.staged:
        db.session.commit()
        report.committed = True
    return report


@click.group("hsds")
def hsds_cli():
    """Import and export Open Referral UK 3.0 (HSDS) data."""


@hsds_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path):
    """Write every published service to PATH as a JSON array of full ORUK services."""
    click.echo(f"Exported {export_services(path)} services to {path}.")


@hsds_cli.command("export-csv")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_csv_command(path):
    """Write the directory to PATH as CSV, one row per service and location."""
    click.echo(f"Exported {export_csv(path)} rows to {path}.")


@hsds_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report, but change nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the good records even when some are rejected.")
@click.option(
    "--allow-reassign", is_flag=True, help="Let the file move existing services to another organisation."
)
@click.option("--verbose", is_flag=True, help="List every warning, not a line per kind.")
def import_command(path, dry_run, skip_invalid, allow_reassign, verbose):
    """Import ORUK services from PATH (a JSON array or a service_list page).

    Nothing is written unless every record is good (or --skip-invalid). A service the file gives to
    another organisation than the one it has here is refused unless --allow-reassign; --dry-run says
    what would be created, updated and moved, and changes nothing. Warnings are summarised, a line
    per kind with the first five records (--verbose lists them all).
    """
    try:
        records = read_records(path)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    progress = _Progress() if sys.stderr.isatty() else None
    with _collector_set_aside():
        report = import_records(
            records,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            allow_reassign=allow_reassign,
            source=Path(path).name,
            progress=progress,
        )
    if progress is not None:
        progress.done()
    for move in report.moves if report.staged else ():
        click.echo(f"{'Would move' if dry_run else 'Moved'} {move}.")
    for rejection in report.rejected:
        click.echo(f"Rejected {rejection}", err=True)
    warnings = [f"Warning: {w}" for w in report.warnings] if verbose else report.warning_summary()
    for line in warnings:
        click.echo(line, err=True)
    if report.warnings and not verbose and len(report.warnings) > len(warnings):
        click.echo(f"{len(report.warnings):,} warnings in all: --verbose lists each one.", err=True)
    if report.committed and report.created + report.updated == 0 and not report.moves:
        click.echo(f"Nothing to change: {report.unchanged:,} records already up to date.")
    else:
        click.echo(report.summary())
    if report.committed and report.created + report.updated:
        # This node's index takes the import in now, in one pass, rather than on its first search.
        with _collector_set_aside():  # what the import left alive, too
            search.sync(timeout=60.0)
    if report.rejected and not skip_invalid:
        click.echo(
            "Fix the rejected records, or run again with --skip-invalid to import the others.", err=True
        )
        raise SystemExit(1)


@contextmanager
def _collector_set_aside():
    """Keep the garbage collector off what is alive now, and let it run less often, until the block ends.

    An import makes millions of objects that live until it ends (the file's records, what is parsed
    from them, an index build's postings). Each full collection walks every one of them again, and in
    a forked build process copies each page it touches. Measured with 10,000 records: the index build
    took about 40% less CPU with the import's leftovers frozen, and at 50,000 rarer collections took
    a tenth off writing the records.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class _Progress:
    """A counter on stderr, rewritten in place (used only when stderr is a terminal)."""

    def __init__(self):
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        click.echo(f"\r{stage} records: {done:,} of {total:,}", err=True, nl=False)
        self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)
