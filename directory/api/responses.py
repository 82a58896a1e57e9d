"""The API's responses: ORUK's pages, JSON with an ETag, ndjson, and pages assembled from JSON already made.

A page of services is most of what API searches answer, and encoding its twenty documents again on every
request cost a tenth of the request: each document's JSON is made once, with the document, by the document
store (`document_cache.DocumentCache.texts`), and `cached_page` joins them into the bytes `cached(page(...))`
gives.
"""

import hashlib
import json
import math

from flask import Response, current_app, jsonify, request, stream_with_context

from ..errors import error_response
from . import params

# Anyone may keep an answer a minute: open data, the same for everyone.
CACHE_CONTROL = "public, max-age=60"


def not_found(kind: str, item_id: str):
    return error_response(404, "Not Found", f"There is no published {kind} with id {item_id[:80]}.")


def page(contents: list, total: int, paging: params.Paging) -> dict:
    """Wrap a page of results in ORUK's paging fields."""
    total_pages = math.ceil(total / paging.per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def cached(document, last_modified=None):
    """Return JSON with an ETag (and Last-Modified when known); answer 304 when the client is current."""
    return _conditional(jsonify(document), last_modified)


def _conditional(response, last_modified):
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified
    # What cache_control.public and .max_age give, written at once: each of those parses the header
    # and writes it again. A response made here has no Cache-Control of its own.
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)


def ndjson(documents) -> Response:
    """Stream one JSON document per line."""
    lines = (json.dumps(d, ensure_ascii=False) + "\n" for d in documents)
    return Response(stream_with_context(lines), mimetype="application/x-ndjson")


def assembles() -> bool:
    """Return whether pages can be joined from encoded documents: JSON compact, keys sorted (so
    "contents" comes first), as Flask gives it outside debug mode."""
    provider = current_app.json
    indented = provider.compact is False or (provider.compact is None and current_app.debug)
    return provider.sort_keys and not indented


def encoded(document) -> str:
    """Return a document's JSON as a page holds it (when `assembles()`)."""
    return current_app.json.dumps(document, separators=(",", ":"))


def cached_page(texts: list[str], total: int, paging: params.Paging, last_modified=None):
    """Return what `cached(page(documents, total, paging), last_modified)` returns, from the documents'
    `encoded` texts."""
    fields = page(texts, total, paging)
    del fields["contents"]
    rest = encoded(fields)
    body = '{"contents":[' + ",".join(texts) + "]," + rest[1:] + "\n"
    return _conditional(current_app.response_class(body, mimetype=current_app.json.mimetype), last_modified)
