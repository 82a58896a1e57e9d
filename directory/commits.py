"""Acting on a commit: something this process keeps must learn that a transaction changed some rows.

Noticed at flush (the rows are in the session then) and acted on only once the transaction has
committed, inside an app context, never after a rollback. Search (follow the change log), the API's
document store and the harm-reduction box on results pages each register what they watch.
"""

from collections.abc import Callable

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session


def after_commit(name: str, touched: Callable[[Session], bool], act: Callable[[], None]) -> None:
    """Call `act()` after each commit of a session for which `touched(session)` held at a flush.

    `name` keeps one watcher's mark apart from another's in `session.info`.
    """
    key = f"commits:{name}"

    @event.listens_for(Session, "after_flush")
    def _noticed(session, flush_context):
        if touched(session):
            session.info[key] = True

    @event.listens_for(Session, "after_commit")
    def _committed(session):
        if session.info.pop(key, False) and has_app_context():
            act()

    @event.listens_for(Session, "after_rollback")
    def _rolled_back(session):
        session.info.pop(key, None)


def added(*types) -> Callable[[Session], bool]:
    """Return a test for `after_commit`: the flush adds a row of one of `types`."""
    return lambda session: any(isinstance(obj, types) for obj in session.new)


def changed(*types) -> Callable[[Session], bool]:
    """Return a test for `after_commit`: the flush adds, changes or deletes a row of one of `types`."""
    return lambda session: any(
        isinstance(obj, types) for obj in (*session.new, *session.dirty, *session.deleted)
    )
