"""Command-line tasks: `flask --app wsgi <command>`."""

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from .extensions import db
from .models import Service


def init_app(app):
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(prepare_command)
    from .hsds_io import hsds_cli

    app.cli.add_command(hsds_cli)
    from .search.cli import search_cli

    app.cli.add_command(search_cli)
    from .auth.commands import users_cli

    app.cli.add_command(users_cli)
    from .insights.cli import insights_cli

    app.cli.add_command(insights_cli)
    from .backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def migrate_database():
    """Create or upgrade the schema through the Alembic migrations."""
    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init-db")
def init_db_command():
    """Create or upgrade the schema and load reference data (no demo services)."""
    from .reference import load_reference_data

    migrate_database()
    counts = load_reference_data()
    click.echo(f"Database ready: {counts['boroughs']} boroughs, {counts['taxonomy_terms']} taxonomy terms.")


@click.command("seed")
def seed_command():
    """Add the seeded London services (idempotent: a second run changes nothing)."""
    from .seed import seed_services

    report = seed_services()
    click.echo(f"Seeded London services: {report}")


@click.command("prepare")
def prepare_command():
    """Do everything `make run` needs: schema, reference data, seed if empty, search index."""
    from . import search
    from .reference import load_reference_data
    from .seed import seed_services

    migrate_database()
    load_reference_data()
    if not db.session.scalar(select(func.count()).select_from(Service)):
        click.echo(f"Seeding London services: {seed_services()}")
    search.ensure_index()
    tables = len(inspect(db.engine).get_table_names())
    services = db.session.scalar(select(func.count()).select_from(Service))
    click.echo(f"Ready: {tables} tables, {services} services.")
