"""Every command-line task, `flask --app wsgi <command>`: one module per group, registered here.

Only this package imports click: domain modules hold the work and raise domain errors, a command
reads its arguments, calls them, commits (when it writes) and says what happened.
"""

from . import backup, database, hsds, insights, mail, notify, reminders, search, users


def init_app(app):
    """Register every command on the app's CLI."""
    app.cli.add_command(database.init_db_command)
    app.cli.add_command(database.seed_command)
    app.cli.add_command(database.prepare_command)
    app.cli.add_command(hsds.hsds_cli)
    app.cli.add_command(search.search_cli)
    app.cli.add_command(users.users_cli)
    app.cli.add_command(mail.mail_cli)
    app.cli.add_command(notify.notify_cli)
    app.cli.add_command(reminders.reminders_cli)
    app.cli.add_command(insights.insights_cli)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)
