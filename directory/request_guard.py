"""Refuse control characters in a request's path and query string before any view sees them.

A NUL byte in a path or parameter reaches the database otherwise, and PostgreSQL answers it with
an error (a 500). Forms check their own fields (directory/forms.py); a view whose GET form shows
the problem beside its field instead is marked with `checks_own_query`.
"""

from flask import current_app, request

from . import plain_text
from .errors import error_response

ALL = None  # marks a view that checks every query parameter itself


def checks_own_query(*params):
    """Mark a view that answers control characters in the named query parameters beside its form's fields.

    The guard still refuses them in any other parameter. Used bare (`@checks_own_query`), the view
    checks every parameter itself.
    """
    if len(params) == 1 and callable(params[0]):
        params[0].checks_own_query = ALL
        return params[0]

    def mark(view):
        view.checks_own_query = frozenset(params)
        return view

    return mark


def init_app(app):
    app.before_request(refuse_control_characters)


def refuse_control_characters():
    if plain_text.has_control_characters(request.path):
        return error_response(
            400, "Bad Request", "The address contains a control character (such as a null byte)."
        )
    view = current_app.view_functions.get(request.endpoint)
    own = getattr(view, "checks_own_query", frozenset())
    if own is ALL:
        return None
    for name, value in request.args.items(multi=True):
        if name in own:
            continue
        if plain_text.has_control_characters(name) or plain_text.has_control_characters(value):
            return error_response(
                400,
                "Bad Request",
                f"The parameter {plain_text.printable(name)!r} contains a control character "
                "(such as a null byte or a line break).",
                parameter=plain_text.printable(name),
            )
    return None
