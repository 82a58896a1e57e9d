"""Public network pages: member agencies, events (upcoming first, past kept) and iCalendar feeds."""

from flask import Response, abort, render_template

from . import bp, calendar, events, members

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@bp.get("/")
def members_page():
    """List the network's member agencies with what they offer, and say how to join."""
    lists = events.listed()
    upcoming = {}
    for event in lists.upcoming:
        upcoming.setdefault(event.organisation_id, []).append(event)
    return render_template(
        "network/members.html", members=members.members(), settings=members.settings(), upcoming=upcoming
    )


@bp.get("/events")
def events_page():
    """List published events: upcoming soonest first, then past ones, latest first."""
    return render_template("network/events.html", lists=events.listed(), when=events.when)


@bp.get("/events.ics")
def events_feed():
    """Serve every published event as one iCalendar feed."""
    body = calendar.calendar(events.published(), "London network events")
    return Response(body, content_type=CALENDAR_TYPE)


@bp.get("/events/<event_id>")
def event(event_id):
    """Show one published event."""
    found = events.get_published(event_id) or abort(404, "There is no such event.")
    return render_template(
        "network/event.html", event=found, when=events.when, is_over=events.is_over(found)
    )


@bp.get("/events/<event_id>.ics")
def event_feed(event_id):
    """Serve one published event as an iCalendar file."""
    found = events.get_published(event_id) or abort(404, "There is no such event.")
    body = calendar.calendar([found], found.title)
    return Response(
        body,
        content_type=CALENDAR_TYPE,
        headers={"Content-Disposition": f'attachment; filename="event-{found.id}.ics"'},
    )
