"""`flask --app wsgi users ...`: accounts from the command line (the first admin)."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import accounts, onboarding, sign_in_sessions
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


@users_cli.command("invite-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def invite_csv_command(file):
    """Invite the editors in FILE (rows of email,organisation) and email each a set-password link.

    Every row is checked first: if any is wrong, nobody is invited and the rows to fix are listed.
    """
    with open(file, "rb") as handle:
        data = handle.read(onboarding.MAX_BYTES + 1)
    try:
        parsed = onboarding.parse_invitations(onboarding.read_csv(data, file))
    except onboarding.OnboardingError as exc:
        raise click.ClickException(f"{file}: {exc} Nobody was invited.") from exc
    if parsed.problems:
        for problem in parsed.problems:
            click.echo(f"{file}, row {problem.line}: {problem.message} ({problem.text})", err=True)
        raise click.ClickException(
            f"{len(parsed.problems)} row(s) need fixing. Nobody was invited: fix them and run this again."
        )
    try:
        outcomes = onboarding.invite_all(parsed.rows, by=None)
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} Nobody was invited.") from exc
    for outcome in outcomes:
        result = "invited, link emailed" if outcome.invited else "already an editor, nothing sent"
        click.echo(f"{outcome.email}\t{outcome.organisation.name}\t{result}")
    invited = sum(outcome.invited for outcome in outcomes)
    click.echo(f"{invited} invited, {len(outcomes) - invited} already editors. `flask mail send` sends it.")


@users_cli.command("prune-sessions")
def prune_sessions_command():
    """Delete sign-in sessions that were signed out of or have expired (run it daily, e.g. from cron)."""
    deleted = sign_in_sessions.prune()
    db.session.commit()
    click.echo(f"{deleted} ended or expired sign-in sessions deleted.")
