"""`flask --app wsgi hsds ...`: exchange Open Referral UK 3.0 (HSDS) data with other directories."""

from pathlib import Path

import click

from ..extensions import db
from ..interchange.apply import ImportReport, stage_records
from ..interchange.csv_export import export_csv
from ..interchange.export import export_services
from ..interchange.records import ImportFileError, read_records


def import_records(
    records: list, *, dry_run=False, skip_invalid=False, allow_reassign=False, source="import"
) -> ImportReport:
    """Validate and import ORUK services as one transaction: staged, then committed (a dry run rolls back)."""
    report = stage_records(
        records, dry_run=dry_run, skip_invalid=skip_invalid, allow_reassign=allow_reassign, source=source
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
def import_command(path, dry_run, skip_invalid, allow_reassign):
    """Import ORUK services from PATH (a JSON array or a service_list page).

    Nothing is written unless every record is good (or --skip-invalid). A service the file gives to
    another organisation than the one it has here is refused unless --allow-reassign; --dry-run says
    what would be created, updated and moved, and changes nothing.
    """
    try:
        records = read_records(path)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    report = import_records(
        records,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        allow_reassign=allow_reassign,
        source=Path(path).name,
    )
    for move in report.moves if report.staged else ():
        click.echo(f"{'Would move' if dry_run else 'Moved'} {move}.")
    for rejection in report.rejected:
        click.echo(f"Rejected {rejection}", err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(report.summary())
    if report.rejected and not skip_invalid:
        click.echo(
            "Fix the rejected records, or run again with --skip-invalid to import the others.", err=True
        )
        raise SystemExit(1)
