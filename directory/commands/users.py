"""`flask --app wsgi users ...`: accounts from the command line (the first admin)."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import accounts, sign_in_sessions
from ..extensions import db
from ..links import external_url

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
    default=None,
    show_default="DIRECTORY_BASE_URL",
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
    link = external_url("auth.set_password", token=token, base_url=base_url)
    hours = current_app.config.get("INVITATION_TTL_HOURS", 72)
    click.echo(
        f"{user.email} is an admin. Open this link within {hours} hours to set the password (it works once):"
    )
    click.echo(link)


@users_cli.command("prune-sessions")
def prune_sessions_command():
    """Delete sign-in sessions that were signed out of or have expired (run it daily, e.g. from cron)."""
    deleted = sign_in_sessions.prune()
    db.session.commit()
    click.echo(f"{deleted} ended or expired sign-in sessions deleted.")
