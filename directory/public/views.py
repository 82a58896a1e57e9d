"""Public pages: home, search results, service pages, care pathways, the signposting list."""

from urllib.parse import urlencode

from flask import abort, current_app, flash, has_request_context, redirect, render_template, request, url_for
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload

from .. import (
    capacity,
    catchment,
    clock,
    hours_wording,
    reference,
    request_guard,
    search,
    signposting,
    unmet_need,
)
from ..extensions import db, limiter
from ..models import (
    Location,
    Pathway,
    PathwayStage,
    ProblemReport,
    Service,
    ServiceAtLocation,
)
from ..notifications import problem_reported
from ..resources import catalogue as resource_catalogue
from ..resources import finding as resource_finding
from ..search.criteria import ANY_BOROUGH
from . import bp, card_rendering, cards, facts, filter_frames, filter_tags, layout_frames
from .forms import FACETS, REPORT_CATEGORIES, SORTS, TYPED_PARAMS, ReportForm, SearchQuery
from .search_links import SearchLinks

# Everything a card or a service page shows, loaded in a few queries rather than one per row.
CARD_LOADING = (
    selectinload(Service.organisation),
    selectinload(Service.terms),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)
    .selectinload(Location.borough),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
    selectinload(Service.catchment_boroughs),
    selectinload(Service.phones),
)


# base.html's navigation and footer, remembered rather than rendered on every page.
bp.add_app_template_global(layout_frames.included, "included")


@bp.app_context_processor
def signposting_context():
    """Give every template the signposting list carried in the URL (for browsers without JavaScript)."""
    ids = signposting.parse_ids(request.args.getlist("s")) if has_request_context() else []
    page = card_rendering.Page(ids, _here, current_app.config["CARD_FRAMES"])
    return {
        "list_ids": ids, "add_to_list_url": page.add_url, "service_url": page.service_url, "card": page.card,
        "card_items": page.card_items,
        "facts": facts, "status_badge": card_rendering.status_badge,
        "signposting_status": signposting.open_status, "signposting_weekly_hours": hours_wording.weekly_hours,
        "location_status": lambda sal, moment: hours_wording.describe_status(sal.schedules, moment),
        "signposting_how": signposting.how_to_get_in, "signposting_without": signposting.without,
        "signposting_compact_hours": hours_wording.compact_hours,
        "signposting_hours_note_beyond": hours_wording.hours_note_beyond,
    }


def _here() -> str:
    """Return this page's path and query without the list, for a "back to where you were" link."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("s", "back")]
    return request.path + ("?" + urlencode(args) if args else "")


def _safe_back(value: str | None) -> str | None:
    # Only paths on this site: never an open redirect to another host.
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return None


def _list_ids() -> list[str]:
    return signposting.parse_ids(request.args.getlist("s"))


def with_list(path: str | None, ids: list[str]) -> str | None:
    """Return a path on this site with a signposting list added to it."""
    if not path or not ids:
        return path
    return path + ("&" if "?" in path else "?") + urlencode([("s", i) for i in ids])


def _counts():
    services = db.session.scalar(select(func.count()).select_from(Service).where(Service.is_visible))
    boroughs = db.session.scalar(
        select(func.count(distinct(Location.borough_code)))
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(Service.is_visible, Location.borough_code.is_not(None))
    )
    return services, boroughs


def _boroughs():
    from ..models import Borough

    return db.session.scalars(select(Borough).order_by(Borough.name)).all()


def _pathways():
    return db.session.scalars(select(Pathway).order_by(Pathway.position, Pathway.name)).all()


def _visible_service_or_404(service_id: str) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or not service.is_visible:
        abort(404, description="This service is not in the directory. It may have closed or been removed.")
    return service


@bp.after_request
def not_kept(response):
    """Ask browsers and proxies to keep no copy: what someone looked at stays off the device."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    """Show the search box, the care pathways and how much the directory holds."""
    services, boroughs = _counts()
    return render_template(
        "public/home.html", service_count=services, borough_count=boroughs,
        boroughs=_boroughs(), pathways=_pathways(),
    )


@bp.get("/search", endpoint="search")
@request_guard.checks_own_query(*TYPED_PARAMS)
def results():
    """Search with filters from the query string; works without JavaScript and can be bookmarked."""
    query = SearchQuery.from_args(request.args)
    # Reference data as search knows it (re-read at most once a minute), not a query per page.
    catalogue = search.catalogue()
    # A stale bookmark may name an option that no longer exists: drop it rather than fail.
    for d in FACETS:
        known = catalogue.terms.get(d.vocabulary, {})  # code -> name, the term choices' codes
        query.chosen[d.param] = [c for c in query.chosen[d.param] if c in known]
    result, error, hits = None, query.problem, []
    wanted = search.SearchRequest(per_page=current_app.config["RESULTS_PER_PAGE"], **query.request_fields())
    try:
        result = None if error else search.search(wanted)
    except search.SearchInputError as exc:
        error = exc
    if result is not None:
        unmet_need.record(wanted, result.total)  # anonymous day/borough/filters/words counts only
        hits = [(hit, cards.of_listing(hit.listing, catalogue)) for hit in result.hits]
    # Materials, not services: a few published resources, matched in memory on the same words.
    resources = resource_finding.matching(query.text) if not error else []
    # With frames, the filter options are joined from pieces made once and the links to other searches
    # built without url_for (same bytes); without them the template renders each option from the term
    # choices, and url_for builds every link.
    frames = current_app.config["CARD_FRAMES"]
    terms = {} if frames else {d.vocabulary: catalogue.term_choices(d.vocabulary) for d in FACETS}
    links = SearchLinks(query, _list_ids(), frames)
    return render_template(
        "public/results.html", query=query, result=result, hits=hits, error=error, facets=FACETS,
        sorts=SORTS, terms=terms, boroughs=catalogue.borough_choices, pathways=catalogue.pathway_choices,
        relaxation_links=_relaxation_links(query, result, links), moment=clock.now(),
        tags=filter_tags.chosen(query, catalogue, result), left_out_link=_left_out_link(query, result, links),
        page_numbers=page_numbers(result.page, result.pages) if result else [],
        resources=resources, filters=filter_frames.for_page(catalogue, query, result) if frames else None,
        links=links,
    ), 400 if query.problem else 200


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Return the pages to link in order, None for a gap: the first, the last and two either side
    of this one. Worked out here, not by looping over every page in the template: a broad search
    has hundreds of pages."""
    near = range(max(1, page - 3), min(pages, page + 3) + 1)
    return [n if n in (1, pages) or abs(n - page) <= 2 else None for n in sorted({1, pages, *near})]


def _relaxation_links(query: SearchQuery, result, links: SearchLinks) -> list[tuple[str, int, str | None]]:
    """Turn "3 match without 'open now'" into links that drop that filter (by the filter's key)."""
    if result is None or not getattr(result, "relaxations", None):
        return []
    list_ids = _list_ids()
    found = []
    for relaxation in result.relaxations:
        param = query.param_of(relaxation.key)
        href = None
        if param:
            changes = ({param: None} if relaxation.key != "borough"
                       else filter_tags.without_borough(query, result.understood))
            dropped = query.args(page=None, **changes)
            href = links.search(s=list_ids, **dropped)
        found.append((relaxation.label, relaxation.count, href))
    return found


def _left_out_link(query: SearchQuery, result, links: SearchLinks) -> str | None:
    """Link to what the borough filter hides here: the services only for other boroughs' residents."""
    if result is None or not result.left_out_other_boroughs:
        return None
    # Just those: "any borough" (nothing implies one), and only what the borough's residents may not use.
    changes = filter_tags.without_borough(query, result.understood) | {
        "borough": ANY_BOROUGH, "elsewhere": result.borough.slug}
    return links.search(s=_list_ids(), **query.args(page=None, **changes))


@bp.get("/services/<service_id>")
def service(service_id):
    """Show everything about one service: how to get in, who it is for, where and when."""
    service = _visible_service_or_404(service_id)
    others = [s for s in service.organisation.services if s.id != service.id and s.is_visible]
    moment = clock.now()
    return render_template(
        "public/service.html", service=service, others=others, moment=moment,
        back=with_list(_safe_back(request.args.get("back")), _list_ids()),
        freshness=facts.freshness(service, moment, current_app.config["STALE_AFTER_DAYS"]),
        referrals=capacity.state(service, moment),
        describe_catchment=catchment.describe(service),
        resources=resource_catalogue.handed_out_at(service),
    )


@bp.route("/services/<service_id>/report", methods=["GET", "POST"])
@limiter.limit(
    "5 per hour;20 per day", methods=["POST"],
    error_message="You have sent several reports in a short time. Please try again in an hour.",
)
def report_problem(service_id):
    """Let anyone tell the admins that a listing is wrong: stored for the queue, emailed to its editors."""
    service = _visible_service_or_404(service_id)
    form = ReportForm()
    if form.validate_on_submit():
        report = ProblemReport(
            service=service, category=form.category.data, message=form.message.data.strip(),
            contact_email=(form.contact_email.data or "").strip() or None,
        )
        db.session.add(report)
        problem_reported(report, dict(REPORT_CATEGORIES)[report.category])
        db.session.commit()
        flash("Thank you. An admin will check your report and correct the listing.", "success")
        return redirect(url_for("public.service", service_id=service.id))
    return render_template("public/report.html", service=service, form=form), 400 if form.errors else 200


@bp.get("/pathways")
def pathways():
    """List the care pathways."""
    return render_template("public/pathways.html", pathways=_pathways())


@bp.get("/pathways/<slug>")
def pathway(slug):
    """Show a care pathway's stages in order, each with its services, optionally for a borough's residents."""
    pathway = db.session.scalar(
        select(Pathway).where(Pathway.slug == slug).options(
            selectinload(Pathway.stages).selectinload(PathwayStage.services).options(*CARD_LOADING)
        )
    )
    if pathway is None:
        abort(404, description="There is no care pathway at this address.")
    borough = reference.borough_by_slug_or_code(request.args.get("borough", ""))
    stages = []
    for stage in pathway.stages:
        entries = []
        for svc in stage.services:
            if not svc.is_visible:
                continue
            why = catchment.usable_by(svc, borough.ons_code, borough.name) if borough else None
            if borough and why is None:
                continue
            entries.append((cards.from_service(svc), why))
        stages.append((stage, entries, len([s for s in stage.services if s.is_visible])))
    return render_template(
        "public/pathway.html", pathway=pathway, stages=stages, borough=borough,
        stage_resources=resource_catalogue.for_stages([stage.id for stage in pathway.stages]),
        boroughs=_boroughs(), moment=clock.now(),
        unknown_borough=bool(request.args.get("borough")) and borough is None,
    )


@bp.get("/about")
def about():
    """Say where the data comes from, how sure it is, and whose data it uses."""
    services, boroughs = _counts()
    return render_template(
        "public/about.html", confidence=facts.CONFIDENCE_MEANINGS,
        stale_days=current_app.config["STALE_AFTER_DAYS"], service_count=services,
    )


@bp.get("/staying-safe-online", endpoint="cover_your_tracks")
def cover_your_tracks():
    """Say how to leave no trace of a visit: the exit, private windows, clearing history."""
    return render_template("public/cover_tracks.html")


@bp.get("/privacy")
def privacy():
    """Say what the site stores and what it never does."""
    return render_template("public/privacy.html")
