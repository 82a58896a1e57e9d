"""Template filters and globals shared by every blueprint."""

from datetime import datetime

from . import clock
from .models.base import utcnow


def init_app(app):
    @app.template_filter("date")
    def format_date(value, fmt="%-d %B %Y"):
        if value is None:
            return ""
        return value.strftime(fmt)

    @app.template_filter("when")
    def format_when(value: datetime | None):
        if value is None:
            return "never"
        return value.astimezone(clock.LONDON).strftime("%-d %B %Y, %H:%M")

    @app.context_processor
    def globals_():
        return {"now": clock.now, "utcnow": utcnow}
