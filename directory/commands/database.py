"""`flask --app wsgi init-db | seed | prepare`: the schema, reference data and the seeded services."""

import click
from sqlalchemy import func, inspect, select

from ..database import migrate_database
from ..extensions import db
from ..models import Service


@click.command("init-db")
def init_db_command():
    """Create or upgrade the schema and load reference data (no demo services)."""
    from ..reference import load_reference_data

    migrate_database()
    counts = load_reference_data()
    db.session.commit()
    click.echo(f"Database ready: {counts['boroughs']} boroughs, {counts['taxonomy_terms']} taxonomy terms.")


@click.command("seed")
def seed_command():
    """Add the seeded London services (idempotent: a second run changes nothing)."""
    from ..seed import seed_services

    report = seed_services()
    db.session.commit()
    click.echo(f"Seeded London services: {report}")


@click.command("prepare")
def prepare_command():
    """Do everything `make run` needs: schema, reference data, seed if empty, search index."""
    from .. import search
    from ..reference import load_reference_data
    from ..seed import seed_services

    migrate_database()
    load_reference_data()
    db.session.commit()
    if not db.session.scalar(select(func.count()).select_from(Service)):
        report = seed_services()
        db.session.commit()
        click.echo(f"Seeding London services: {report}")
    search.ensure_index()
    tables = len(inspect(db.engine).get_table_names())
    services = db.session.scalar(select(func.count()).select_from(Service))
    click.echo(f"Ready: {tables} tables, {services} services.")
