"""Which services and service-at-locations the API lists, in order, as ids; rows are loaded a page at a time.

A page of services costs what a page of the site's results costs: the search index gives one page of
ids and the total (re-checking only that page against the database), and a list without search is
one LIMIT/OFFSET query and one count. Only `service_ids` lists every match (for ndjson, for
service-at-locations, and for searches that also ask for a database-only filter).

Only published, active services. Text, catchment, vocabulary, opening-hours and distance filters go
through the search module, so they mean what they mean on the site; the standard ORUK filters
(organization, taxonomy, modified_after) are plain database conditions.
"""

from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import exists, func, select

from .. import dimensions, geo, search, unmet_need
from ..extensions import db
from ..interchange import oruk
from ..models import (
    Location,
    Pathway,
    PathwayStage,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    pathway_stage_services,
    service_terms,
)
from . import document_cache
from .params import BadParameter, ServiceQuery

METRES_PER_MILE = geo.METRES_PER_MILE
# SearchRequest fields whose API parameter has another name.
SEARCH_FIELDS = {"text": "search", "max_miles": "proximity",
                 **{d.field: d.param for d in dimensions.TAXONOMIES}}


class Located(NamedTuple):
    """A service-at-location id with its distance from the asked-for postcode, when one was given.

    A tuple, as a list of every match holds thousands of them.
    """

    id: str
    service_id: str
    distance_m: float | None = None


@dataclass
class Page:
    """One page of matching service ids, in order, and how many services match in all."""

    ids: list[str]
    total: int


def service_page(query: ServiceQuery, page: int, per_page: int) -> Page:
    """Return one page of matching published, active services and the total, without listing every match."""
    conditions = _conditions(query)
    if not query.needs_search:
        listed = [Service.is_listed, *conditions]
        total = db.session.scalar(select(func.count()).select_from(Service).where(*listed))
        ids = db.session.scalars(
            select(Service.id)
            .where(*listed)
            .order_by(Service.name, Service.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return Page(list(ids), total)
    if conditions:
        # The index cannot apply these, so its total would count services they exclude.
        ids = service_ids(query)
        start = (page - 1) * per_page
        return Page(ids[start : start + per_page], len(ids))
    request = _request(query, page, per_page)
    try:
        ids, total = search.page_ids(request)
    except search.SearchInputError as exc:
        raise _bad_search_parameter(exc) from None
    # Anonymous day/borough/filters/words counts only. Every API page counts, as it did when each
    # request searched from the first page.
    unmet_need.record(replace(request, page=1, per_page=None), total)
    return Page(ids, total)


def service_ids(query: ServiceQuery) -> list[str]:
    """Return the ids of matching published, active services, best first."""
    conditions = [Service.is_listed, *_conditions(query)]
    if not query.needs_search:
        return list(
            db.session.scalars(select(Service.id).where(*conditions).order_by(Service.name, Service.id))
        )
    # Every listed id in one query (no IN over thousands of matches): the index may be a moment behind.
    allowed = set(db.session.scalars(select(Service.id).where(*conditions)))
    return [i for i in _ranked(query) if i in allowed]


def service_at_location_ids(query: ServiceQuery) -> list[tuple]:
    """Return the matching service-at-locations: by service order, or by distance when a postcode is given.

    Each is a plain (id, service id, distance in metres or None) tuple, as a list of every match holds
    thousands: `Located._make` one when it is shown.
    """
    conditions = _conditions(query)
    order = {sid: n for n, sid in enumerate(_ranked(query) if query.needs_search else service_ids(query))}
    rows = [(order[r[1]], r[2], r[0], r) for r in _located_rows(conditions) if r[1] in order]
    rows.sort()
    if not query.postcode:
        return [(r[0], r[1], None) for *_, r in rows]
    origin = _origin(query.postcode)
    located = []
    for *_, (sal_id, service_id, _, latitude, longitude) in rows:
        if latitude is None or longitude is None:
            # Remote or unplaced: no distance, so kept (last) unless a proximity limit was asked for.
            if query.proximity_m is None:
                located.append((sal_id, service_id, None))
            continue
        metres = geo.approx_distance_m(origin.latitude, origin.longitude, latitude, longitude)
        if query.proximity_m is None or metres <= query.proximity_m:
            located.append((sal_id, service_id, metres))
    located.sort(key=lambda item: (item[2] is None, item[2] or 0))
    return located


def _located_rows(conditions: list) -> list[tuple]:
    """Return (sal id, service id, position, latitude, longitude) of every listed service-at-location.

    Without conditions, kept by this node's document store until the change log moves: every search
    would otherwise read every listed location.
    """

    def read() -> list[tuple]:
        found = (
            select(ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.position,
                   Location.latitude, Location.longitude)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .where(Service.is_listed, *conditions)
        )
        # Core rows as plain tuples: ORM rows cost several times as much.
        return [tuple(r) for r in db.session.connection().execute(found)]

    store = document_cache.cache()
    return store.remembered("located rows", read) if store is not None and not conditions else read()


def _origin(postcode: str) -> geo.Place:
    try:
        return geo.lookup(postcode)
    except geo.PostcodeError as exc:
        raise BadParameter("postcode", str(exc)) from None


def _conditions(query: ServiceQuery) -> list:
    conditions = []
    if query.organization_id:
        conditions.append(Service.organisation_id == query.organization_id)
    if query.modified_after is not None:
        conditions.append(Service.last_modified >= query.modified_after)
    if query.taxonomy_term_ids:
        conditions.append(
            exists().where(
                service_terms.c.service_id == Service.id,
                service_terms.c.taxonomy_term_id.in_(query.taxonomy_term_ids),
            )
            | _on_pathway(Pathway.id.in_(query.taxonomy_term_ids))
        )
    if query.taxonomy_ids:
        in_taxonomy = exists().where(
            service_terms.c.service_id == Service.id,
            service_terms.c.taxonomy_term_id == TaxonomyTerm.id,
            TaxonomyTerm.taxonomy_id.in_(query.taxonomy_ids),
        )
        if oruk.PATHWAY_TAXONOMY_ID in query.taxonomy_ids:
            in_taxonomy = in_taxonomy | _on_pathway(Pathway.id.isnot(None))
        conditions.append(in_taxonomy)
    return conditions


def _on_pathway(pathway_condition):
    return exists().where(
        pathway_stage_services.c.service_id == Service.id,
        pathway_stage_services.c.stage_id == PathwayStage.id,
        PathwayStage.pathway_id == Pathway.id,
        pathway_condition,
    )


def _ranked(query: ServiceQuery) -> list[str]:
    """Return the ids of every service the index matches, best first (listed or not: the caller checks)."""
    request = _request(query, page=1, per_page=None)
    try:
        ids = search.ranked_ids(request)
    except search.SearchInputError as exc:
        raise _bad_search_parameter(exc) from None
    # Counted as a search: the words, borough and filters, anonymously, as on every page.
    unmet_need.record(request, len(ids))
    return ids


def _bad_search_parameter(exc: search.SearchInputError) -> BadParameter:
    field = getattr(exc, "field", "") or "text"
    return BadParameter(SEARCH_FIELDS.get(field, field), getattr(exc, "message", "") or str(exc))


def _request(query: ServiceQuery, page: int, per_page: int | None) -> search.SearchRequest:
    return search.SearchRequest(
        text=query.text,
        borough=query.borough or None,
        pathway=query.pathway or None,
        open_now=query.open_now,
        postcode=query.postcode or None,
        postcode_sets_borough=False,  # ORUK's postcode only says where distances are measured from
        max_miles=(query.proximity_m / METRES_PER_MILE) if query.proximity_m else None,
        sort=None,  # search's default: nearest first for a place and no words, else relevance
        page=page,
        per_page=per_page,
        **query.chosen,
    )
