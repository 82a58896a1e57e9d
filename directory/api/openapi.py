"""The OpenAPI document of this API as built: ORUK 3.0's paths plus our extension parameters.

Built from the ORUK OpenAPI document, with the ORUK schemas bundled under `components/schemas` so
the document stands alone (no reference needs the network).
"""

import copy
import json
from functools import cache

from .. import dimensions
from ..interchange import oruk
from . import parameter_schemas
from .params import API_DIMENSIONS

IMPLEMENTED = (
    "/",
    "/services",
    "/services/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
)
LISTS = ("/services", "/service_at_locations", "/organizations", "/taxonomies", "/taxonomy_terms")


def _vocabulary_parameter(name, vocabulary, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{description} Comma-separated codes of our `{vocabulary}` taxonomy (any of them).",
    }


EXTENSIONS = [
    {
        "name": "borough",
        "in": "query",
        "required": False,
        "description": "Services a resident of this London borough can use (slug such as `lambeth`, or ONS "
        "code such as `E09000022`): located there, named in the catchment, London-wide, national or remote.",
    },
    *(_vocabulary_parameter(d.param, d.vocabulary, d.api_description) for d in API_DIMENSIONS),
    {
        "name": dimensions.PATHWAY.param,
        "in": "query",
        "required": False,
        "description": dimensions.PATHWAY.api_description,
    },
    {
        "name": "open_now",
        "in": "query",
        "required": False,
        "description": "Only services open now (Europe/London).",
    },
]
SERVICE_LIST_EXTRAS = [
    "postcode",
    "proximity",
]  # ORUK names them for service_at_locations only; we take them on both

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string", "description": "What was wrong, in words fit for a person."},
        "parameter": {"type": "string", "description": "The query parameter at fault (400 only)."},
    },
}


BAD_REQUEST = (
    "A parameter has a value we cannot use, is given twice, or is empty; `parameter` names it. Also "
    "any control character in the address or a parameter."
)
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "string"},
}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
    }


@cache
def _base() -> dict:
    source = json.loads((oruk.DATA_DIR / "openapi.json").read_text(encoding="utf-8"))
    schemas = {name: _local_refs(copy.deepcopy(oruk.schema(name))) for name in _schema_names()}
    schemas["error"] = ERROR_SCHEMA
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "London referral and care pathway directory: Open Referral UK API",
            "version": "1.0.0",
            "summary": "Drug and alcohol, sexual health and LGBT+ services in London (Open Referral UK 3.0).",
            "description": (
                "Read-only and open: no key. Open Referral UK 3.0 (a profile of HSDS 3.0) with extension "
                "parameters for catchment, service types, referral routes, audiences, delivery, care "
                "pathways and opening hours. Only published, active services appear. Unknown parameters "
                "are ignored. Each parameter is taken exactly as its schema says, or refused with a 400 "
                "whose `parameter` names it: given at most once (lists are comma-separated, without "
                "spaces), never empty (except `search`), codes exactly as listed (case matters), text "
                "without control characters and within its `maxLength`. Rate limited per client "
                "address (429 with Retry-After). "
                "Schemas: Open Referral UK 3.0 (https://openreferraluk.org/), BSD 3-Clause and CC BY-SA 4.0."
            ),
            "license": {
                "name": "Creative Commons Attribution Share-Alike 4.0",
                "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            },
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {},
        "components": {"schemas": schemas, "parameters": copy.deepcopy(source["components"]["parameters"])},
    }
    for param in EXTENSIONS:
        document["components"]["parameters"][param["name"]] = param
    for parameter in document["components"]["parameters"].values():
        parameter_schemas.apply(parameter)
    for path in IMPLEMENTED:
        item = _local_refs(copy.deepcopy(source["paths"][path]))
        for parameter in item.get("parameters", []):
            parameter_schemas.apply(parameter)
        for operation in (v for k, v in item.items() if k in ("get", "post")):
            operation.pop("tags", None)
            params = operation.setdefault("parameters", [])
            for parameter in params:
                if "$ref" not in parameter:
                    parameter_schemas.apply(parameter)
            if path in ("/services", "/service_at_locations"):
                params += [{"$ref": f"#/components/parameters/{p['name']}"} for p in EXTENSIONS]
            if path == "/services":
                params += [{"$ref": f"#/components/parameters/{name}"} for name in SERVICE_LIST_EXTRAS]
            operation["responses"]["400"] = _error(BAD_REQUEST)
            if "{id}" in path:
                operation["responses"]["404"] = _error("No published record has this id.")
            operation["responses"]["429"] = {
                **_error("Too many requests from this address; retry after Retry-After."),
                "headers": {"Retry-After": RETRY_AFTER},
            }
            if path in LISTS:
                operation["responses"]["200"]["content"]["application/x-ndjson"] = {
                    "schema": {"type": "string"},
                }
        document["paths"][path] = item
    _fix_operation_ids(document)
    return document


def document(server_url: str) -> dict:
    """Return the OpenAPI document, its server being this API's base URL."""
    result = copy.deepcopy(_base())
    result["servers"] = [{"url": server_url}]
    parameter_schemas.known_codes(result["components"]["parameters"])
    return result


def _schema_names() -> list[str]:
    return sorted(p.stem for p in (oruk.DATA_DIR / "schema").glob("*.json") if p.stem != "open_api")


def _local_refs(node):
    """Point the ORUK schema URIs at the bundled copies in components/schemas."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(oruk.SCHEMA_BASE):
            node["$ref"] = "#/components/schemas/" + ref[len(oruk.SCHEMA_BASE) :].removesuffix(".json")
        for value in node.values():
            _local_refs(value)
    elif isinstance(node, list):
        for value in node:
            _local_refs(value)
    return node


def _fix_operation_ids(document: dict) -> None:
    # The ORUK document swaps the ids of the two taxonomy-term operations.
    document["paths"]["/taxonomy_terms"]["get"]["operationId"] = "getPaginatedListOfTaxonomyTerms"
    document["paths"]["/taxonomy_terms/{id}"]["get"]["operationId"] = "getTaxonomyTermById"
