"""`flask --app wsgi users ...`: accounts from the command line (the first admin)."""

import os

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from .. import accounts
from ..extensions import db

users_cli = AppGroup("users", help="Manage directory accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="Type a password now (asked twice) instead of printing a set-password link.",
)
@click.option(
    "--base-url",
    default=lambda: os.environ.get("DIRECTORY_BASE_URL", "http://localhost:5000"),
    show_default="DIRECTORY_BASE_URL or http://localhost:5000",
    help="Where the site is served, to print a full link.",
)
def create_admin_command(email, ask_password, base_url):
    """Create a directory admin and print a one-time link to set their password."""
    try:
        user = accounts.create_admin(email)
        if ask_password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            accounts.set_password(user, password)
            db.session.commit()
            click.echo(f"{user.email} is an admin and can sign in now.")
            return
        token = accounts.issue_link(user, "invite")
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    with current_app.test_request_context(base_url=base_url):
        link = url_for("auth.set_password", token=token, _external=True)
    hours = current_app.config.get("INVITATION_TTL_HOURS", 72)
    click.echo(
        f"{user.email} is an admin. Open this link within {hours} hours to set the password (it works once):"
    )
    click.echo(link)
