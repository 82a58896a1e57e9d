"""The page an emailed "still accurate" link opens: the listing's key facts and one button.

No sign-in: the signed, single-use link is the authority (directory/confirmation_links.py). The
GET changes nothing, because mail scanners open links before people do; only the POST (with
CSRF) confirms. A link that cannot be used gets a page saying why, and changes nothing.
"""

from functools import wraps

from flask import make_response, render_template

from .. import capacity, clock, confirmation_links, hours_wording
from ..extensions import db
from ..moderation.confirming import why_not_confirmable
from ..permissions import signed_link_required
from ..public import facts
from . import bp
from .forms import ConfirmForm


def _no_store(view):
    # The page holds a working link (its form's address): no cache, shared or not, may keep it.
    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


@bp.get("/confirm/<token>")
@signed_link_required
@_no_store
def confirm(token):
    """Show what the listing says, and ask whether it is still accurate."""
    try:
        link = confirmation_links.find(token)
    except confirmation_links.LinkError as exc:
        return _problem(exc)
    return _page(link)


@bp.post("/confirm/<token>")
@signed_link_required
@_no_store
def confirm_still_accurate(token):
    """Confirm the listing is still accurate, with the link's editor as the one who checked.

    The app's CSRF protection has already refused a POST without the page's token (400).
    """
    try:
        link = confirmation_links.confirm(token)
    except confirmation_links.LinkError as exc:
        db.session.rollback()
        return _problem(exc)
    db.session.commit()
    service = link.service
    return render_template("agency/confirmed.html", service=service, with_capacity=bool(service.capacity))


def _page(link):
    service = link.service
    return render_template(
        "agency/confirm.html",
        service=service,
        editor=link.user,
        facts_shown=key_facts(service),
        refused=why_not_confirmable(service),
        form=ConfirmForm(),
        expires_on=capacity.date_text(link.expires_at),
    )


def _problem(error: confirmation_links.LinkError):
    service = error.link.service if error.link is not None else None
    return render_template("agency/confirm_problem.html", message=str(error), service=service), error.status


def key_facts(service) -> list[tuple[str, list[str]]]:
    """Return (what, lines) for the facts an editor checks: contact, where and when, referral, capacity."""
    phones = [f"{p.number}{f' ({p.description})' if p.description else ''}" for p in service.phones]
    places = []
    for sal in service.service_at_locations:
        location = sal.location
        where = ", ".join(location.address_lines) if location.location_type == "physical" else (
            "Online" if location.location_type == "virtual" else "By post")
        when = hours_wording.compact_hours(sal.schedules, sal.hours_note) or "Opening times not listed"
        places.append(f"{where or 'No address listed'}: {when}")
    routes = facts.term_names(service, "referral-route")
    referral = [", ".join(routes)] if routes else []
    if service.application_process:
        referral.append(service.application_process)
    said = capacity.wording(service, clock.utcnow())
    return [
        ("Organisation", [service.organisation.name]),
        ("Phone", phones or ["No phone number listed"]),
        ("Email", [service.email] if service.email else ["No email address listed"]),
        ("Website", [service.url] if service.url else ["No website listed"]),
        ("Where and when", places or ["No address or opening times listed"]),
        ("How to get in", referral or ["Not stated"]),
        ("Taking new referrals?", [said] if said else ["The listing does not say"]),
    ]
