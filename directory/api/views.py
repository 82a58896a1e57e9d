"""The Open Referral UK 3.0 API: read-only, open, paged, cached, streamed on request."""

from flask import request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import search
from ..errors import error_response
from ..extensions import db
from ..interchange import documents, oruk, vocabularies
from ..models import Organisation, Pathway, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from . import bp, document_cache, openapi, params, queries, responses
from .responses import cached, ndjson, not_found, page

NDJSON_BATCH = 100


@bp.errorhandler(params.BadParameter)
def bad_parameter(exc: params.BadParameter):
    return error_response(400, "Bad Request", exc.message, parameter=exc.parameter)


@bp.get("/")
def api_details():
    """Say which version and profile of Open Referral this API speaks."""
    return cached(
        {
            "version": oruk.VERSION,
            "profile": oruk.PROFILE_URL,
            "openapi_url": url_for("api.openapi_document", _external=True),
        }
    )


@bp.get("/openapi.json")
def openapi_document():
    """Return the OpenAPI 3.1 document of this API as built."""
    return cached(openapi.document(request.url_root.rstrip("/") + bp_prefix()))


@bp.get("/services")
def services():
    """List published, active services (ORUK filters plus ours); format=ndjson streams them all."""
    paging = params.paging(request.args)
    query = params.service_query(request.args)
    if paging.ndjson:
        ids = queries.service_ids(query)
        return ndjson(_stored_in_batches(ids, full=not query.minimal, minimal=query.minimal))
    found = queries.service_page(query, paging.page, paging.per_page)
    if responses.assembles():
        texts = _stored_services(found.ids, full=query.full, minimal=query.minimal, encoded=True)
        return responses.cached_page(texts, found.total, paging, last_modified=_latest_change())
    contents = _stored_services(found.ids, full=query.full, minimal=query.minimal)
    return cached(page(contents, found.total, paging), last_modified=_latest_change())


# An id is taken as given (merge_slashes off): an id sent as "%2F0" arrives as "//0", which would
# otherwise be redirected to another id's address rather than answered as an unknown id.
@bp.get("/services/<service_id>", merge_slashes=False)
def service(service_id):
    """Return one published, active service, fully nested."""
    modified = db.session.execute(
        select(Service.last_modified).where(Service.id == service_id, Service.is_listed)
    ).first()
    found = _stored_services([service_id], full=True) if modified else []
    if not found:
        return not_found("service", service_id)
    return cached(found[0], last_modified=modified[0])


@bp.get("/service_at_locations")
def service_at_locations():
    """List services at their locations; postcode and proximity (metres) sort and limit by distance."""
    paging = params.paging(request.args)
    query = params.service_query(request.args)
    located = queries.service_at_location_ids(query)
    if paging.ndjson:
        return ndjson(doc for batch in _batches(located) for doc in _stored_sals(batch, full=True))
    shown = _slice(located, paging)
    # Which locations are listed is kept until the change log moves: the page is checked now, as the
    # site checks its page of results.
    listed = search.still_listed(list({service_id for _, service_id, _ in shown}))
    contents = _stored_sals([item for item in shown if item[1] in listed], full=query.full)
    return cached(page(contents, len(located), paging), last_modified=_latest_change())


@bp.get("/service_at_locations/<sal_id>", merge_slashes=False)
def service_at_location(sal_id):
    """Return one service at a location, with its location, hours and service."""
    sal = db.session.get(ServiceAtLocation, sal_id)
    if sal is None or not sal.service.is_listed:
        return not_found("service_at_location", sal_id)
    document = _stored_sals([queries.Located(sal.id, sal.service_id)], full=True)[0]
    return cached(document, last_modified=sal.service.last_modified)


@bp.get("/organizations")
def organizations():
    """List organisations that have at least one published, active service."""
    paging = params.paging(request.args)
    full, full_service = params.boolean(request.args, "full"), params.boolean(request.args, "full_service")
    full = full or full_service
    text = params.text(request.args, "search").lower()
    listed = select(Organisation.id).where(
        select(Service.id).where(Service.organisation_id == Organisation.id, Service.is_listed).exists()
    )
    if text:
        listed = listed.where(func.lower(Organisation.name).contains(text, autoescape=True))
    ids = list(db.session.scalars(listed.order_by(Organisation.name)))
    if paging.ndjson:
        return ndjson(_organization_documents(ids, full))
    contents = list(_organization_documents(_slice(ids, paging), full))
    return cached(page(contents, len(ids), paging), last_modified=_latest_change())


@bp.get("/organizations/<org_id>", merge_slashes=False)
def organization(org_id):
    """Return an organisation with its published, active services (full_service=true nests them fully)."""
    full_service = params.boolean(request.args, "full_service")
    documents = list(_organization_documents([org_id], True, full_service=full_service))
    if not documents:
        return not_found("organization", org_id)
    return cached(documents[0], last_modified=_latest_change(Service.organisation_id == org_id))


@bp.get("/taxonomies")
def taxonomies():
    """List our vocabularies, and the care pathways as one more taxonomy."""
    paging = params.paging(request.args)
    text = params.text(request.args, "search").lower()
    found = db.session.scalars(select(Taxonomy).order_by(Taxonomy.code))
    contents = [vocabularies.taxonomy(t) for t in found]
    contents.append(vocabularies.pathway_taxonomy())
    contents = [
        t for t in contents if not text or text in t["name"].lower() or text in t["description"].lower()
    ]
    return _static_list(contents, paging)


@bp.get("/taxonomies/<taxonomy_id>", merge_slashes=False)
def taxonomy(taxonomy_id):
    """Return a taxonomy with its terms."""
    if taxonomy_id == oruk.PATHWAY_TAXONOMY_ID:
        data = vocabularies.pathway_taxonomy()
        data["taxonomy_terms"] = [vocabularies.pathway_term(p) for p in _pathways()]
        return cached(data)
    found = db.session.get(Taxonomy, taxonomy_id)
    if found is None:
        return not_found("taxonomy", taxonomy_id)
    terms = [vocabularies.taxonomy_term(t) for t in found.terms]
    return cached({**vocabularies.taxonomy(found), "taxonomy_terms": terms})


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    """List taxonomy terms; filter by taxonomy_id, parent_id, top_only or search."""
    paging = params.paging(request.args)
    text = params.text(request.args, "search").lower()
    taxonomy_ids = params.listed(request.args, "taxonomy_id")
    parent_id = params.identifier(request.args, "parent_id")
    top_only = params.boolean(request.args, "top_only")
    terms = db.session.scalars(
        select(TaxonomyTerm)
        .options(selectinload(TaxonomyTerm.taxonomy))
        .join(Taxonomy)
        .order_by(Taxonomy.code, TaxonomyTerm.position)
    )
    contents = [vocabularies.taxonomy_term(t) for t in terms]
    contents += [vocabularies.pathway_term(p) for p in _pathways()]
    contents = [
        t
        for t in contents
        if (not taxonomy_ids or t["taxonomy_id"] in taxonomy_ids)
        and (not parent_id or t.get("parent_id") == parent_id)
        and (not top_only or not t.get("parent_id"))
        and (not text or text in t["name"].lower() or text in t["code"])
    ]
    return _static_list(contents, paging)


@bp.get("/taxonomy_terms/<term_id>", merge_slashes=False)
def taxonomy_term(term_id):
    """Return one taxonomy term (a care pathway is a term of the pathway taxonomy)."""
    found = db.session.get(TaxonomyTerm, term_id)
    if found is not None:
        return cached(vocabularies.taxonomy_term(found))
    pathway = db.session.get(Pathway, term_id)
    if pathway is not None:
        return cached(vocabularies.pathway_term(pathway))
    return not_found("taxonomy_term", term_id)


# --- helpers -------------------------------------------------------------------------------------


def bp_prefix() -> str:
    return url_for("api.api_details").rstrip("/")


def _latest_change(*conditions):
    # Every published change (including unpublishing) moves a service's last_modified.
    def read():
        return db.session.scalar(select(func.max(Service.last_modified)).where(*conditions))

    store = document_cache.cache()
    return store.remembered("latest change", read) if store is not None and not conditions else read()


def _slice(items: list, paging: params.Paging) -> list:
    start = (paging.page - 1) * paging.per_page
    return items[start : start + paging.per_page]


def _static_list(contents: list, paging: params.Paging):
    if paging.ndjson:
        return ndjson(contents)
    return cached(page(_slice(contents, paging), len(contents), paging))


def _pathways():
    return db.session.scalars(select(Pathway).order_by(Pathway.position, Pathway.name)).all()


def _load_services(ids: list[str]) -> list[Service]:
    """Load published, active services by id in a fixed number of queries, in the order given."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Service)
        .where(Service.id.in_(ids), Service.is_listed)
        .options(*documents.service_load_options())
    )
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def _batches(ids: list, size: int = NDJSON_BATCH):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _variant(*, full: bool, minimal: bool = False) -> str:
    return "minimal" if minimal else "full" if full else "summary"


def _stored_services(ids: list[str], *, full: bool, minimal: bool = False, encoded: bool = False) -> list:
    """Return the services' documents in order (`encoded`: as JSON texts, `responses.encoded`), from this
    node's document store where it holds them."""
    variant = _variant(full=full, minimal=minimal)
    store = document_cache.cache()
    if store is None:
        built = list(_service_documents(ids, full=full, minimal=minimal))
        return [responses.encoded(d) for d in built] if encoded else built

    def build(keys: list[tuple[str, str]]) -> dict:
        built = _service_documents([service_id for service_id, _ in keys], full=full, minimal=minimal)
        return {(d["id"], variant): d for d in built}

    keys = [(i, variant) for i in ids]
    found = store.texts(keys, build, responses.encoded) if encoded else store.documents(keys, build)
    return [found[k] for k in keys if k in found]


def _stored_in_batches(ids: list[str], *, full: bool, minimal: bool):
    for batch in _batches(ids):
        yield from _stored_services(batch, full=full, minimal=minimal)


def _stored_sals(located: list, *, full: bool) -> list[dict]:
    """Return the service-at-locations' documents in order, with their distances, stored as services are."""
    located = [queries.Located._make(item) for item in located]
    variant = _variant(full=full)
    store = document_cache.cache()
    if store is None:
        built = {item.id: doc for item, doc in _sal_documents(located, full=full)}
    else:

        # A service-at-location is kept under its service's id, so the service's change drops it too.
        def key(item) -> tuple[str, str]:
            return item.service_id, f"sal-{variant}:{item.id}"

        def build(keys: list[tuple[str, str]]) -> dict:
            wanted = [queries.Located(name.partition(":")[2], service_id) for service_id, name in keys]
            return {key(item): doc for item, doc in _sal_documents(wanted, full=full)}

        found = store.documents([key(item) for item in located], build)
        built = {name.partition(":")[2]: doc for (_, name), doc in found.items()}
    documents_in_order = []
    for item in located:
        document = built.get(item.id)
        if document is None:
            continue
        if item.distance_m is not None:
            document = {**document, "distance": round(item.distance_m)}
        documents_in_order.append(document)
    return documents_in_order


def _service_documents(ids: list[str], *, full: bool, minimal: bool = False):
    for batch in _batches(ids):
        found = _load_services(batch)
        if minimal:
            yield from (documents.minimal_service(s) for s in found)
            continue
        context = documents.ExportContext(found)
        yield from (documents.service(s, context, full=full) for s in found)


def _sal_documents(located: list, *, full: bool):
    """Yield (item, document) for each listed service-at-location, without its distance."""
    for batch in _batches(located):
        found = {s.id: s for s in _load_services(list(dict.fromkeys(item.service_id for item in batch)))}
        context = documents.ExportContext(list(found.values()))
        for item in batch:
            service = found.get(item.service_id)
            sal = (
                next((x for x in service.service_at_locations if x.id == item.id), None) if service else None
            )
            if sal is None:
                continue
            remainder = context.service_extras(service.id)
            summary = documents.service(service, context, full=full)
            document = documents.service_at_location(sal, remainder, with_service=summary)
            document["schedules"] = [
                s
                for s in documents.schedules(service, remainder)
                if s.get("service_at_location_id") == sal.id
            ]
            yield item, document


def _organization_documents(ids: list[str], full: bool, *, full_service: bool = False):
    for batch in _batches(ids):
        orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(batch))).all()
        by_org: dict[str, list[Service]] = {}
        if full:
            service_ids = list(
                db.session.scalars(
                    select(Service.id)
                    .where(Service.organisation_id.in_(batch), Service.is_listed)
                    .order_by(Service.name)
                )
            )
            for s in _load_services(service_ids):
                by_org.setdefault(s.organisation_id, []).append(s)
        loaded = [s for group in by_org.values() for s in group]
        context = documents.ExportContext(loaded, organization_ids=batch)
        by_id = {o.id: o for o in orgs}
        for org_id in batch:
            org = by_id.get(org_id)
            if org is None:
                continue
            document = documents.organization(org, context)
            if full:
                document["services"] = [
                    (
                        documents.service(s, context, full=full_service)
                        if full_service
                        else documents.minimal_service(s)
                    )
                    for s in by_org.get(org_id, [])
                ]
                if not document["services"]:
                    continue  # only organisations with something published are listed
            yield document
