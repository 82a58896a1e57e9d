"""What the OpenAPI document says each parameter takes: exactly what params.py accepts.

Static schemas live here; the codes the API knows (boroughs, pathways, vocabularies) are read
from the database by `known_codes`, through the same functions params.py checks against, so the
document's enums are always the accepted values.
"""

import copy

from .. import dimensions
from . import params

# No C0/C1 control character (request_guard refuses them with a 400 before any view).
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
ID_ITEM = "[^,\\u0000-\\u001f\\u007f-\\u009f]+"
# A London postcode, sector or outcode (SW9 8BS, SW9 8, SW9) in any case, spaces optional, as
# directory/geo.py reads it. Not expressible as a pattern of reasonable size, hence a named format.
POSTCODE_FORMAT = "london-postcode"

PATH_ID = {"type": "string", "minLength": 1, "pattern": NO_CONTROL}
TEXT = {"type": "string", "maxLength": params.MAX_TEXT, "pattern": NO_CONTROL}
IDENTIFIER = {**TEXT, "minLength": 1}
BOOLEAN = {"type": "boolean"}


def comma_separated(items: dict) -> dict:
    return {"type": "array", "minItems": 1, "maxItems": params.MAX_ITEMS, "items": items}


# A plain string, as ORUK has it, not an array: a query string cannot tell the array ["1.5"] from
# the number 1.5, so schemathesis would count a number sent here as invalid data we accepted.
ID_LIST = {
    "type": "string",
    "minLength": 1,
    "maxLength": params.MAX_ID_LIST,
    "pattern": f"^{ID_ITEM}(,{ID_ITEM})*$",
}

# Parameter name -> its schema, wherever the parameter appears.
SCHEMAS = {
    "search": TEXT,
    "organization_id": IDENTIFIER,
    "parent_id": IDENTIFIER,
    "taxonomy_id": ID_LIST,
    "taxonomy_term_id": ID_LIST,
    "minimal": BOOLEAN,
    "full": BOOLEAN,
    "full_service": BOOLEAN,
    "top_only": BOOLEAN,
    "open_now": BOOLEAN,
    "page": {"type": "integer", "minimum": 1, "maximum": params.MAX_PAGE, "default": 1},
    "per_page": {
        "type": "integer", "minimum": 1, "maximum": params.MAX_PER_PAGE, "default": params.DEFAULT_PER_PAGE,
    },
    "format": {"type": "string", "enum": list(params.FORMATS), "default": "json"},
    "modified_after": {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]},
    "postcode": {"type": "string", "format": POSTCODE_FORMAT},
    "proximity": {"type": "number", "minimum": params.MIN_PROXIMITY_M, "maximum": params.MAX_PROXIMITY_M},
    "borough": {"type": "string"},  # enum: known_codes
    dimensions.PATHWAY.param: {"type": "string"},  # enum: known_codes
    # The items' enum: known_codes.
    **{d.param: comma_separated({"type": "string"}) for d in params.API_DIMENSIONS},
}
# Descriptions where ours say more than ORUK's.
DESCRIPTIONS = {
    "postcode": "A London postcode, sector or outcode (`SW9 8BS`, `SW9 8`, `SW9`; any case, spaces "
    "optional). Sorts locations by distance from its centroid; a postcode outside London is a 400.",
    "proximity": "Only locations within this many metres of the postcode's centroid; needs `postcode` "
    "(proximity without a postcode is a 400 naming proximity).",
    "taxonomy_id": "Records with any term of these taxonomies (ids, comma-separated).",
    "taxonomy_term_id": "Records with any of these taxonomy terms (ids, comma-separated).",
    "modified_after": "Records modified on or after this RFC 3339 date-time, or this date (midnight UTC).",
}


def apply(parameter: dict) -> None:
    """Give a parameter (ORUK's or ours) the schema and description of what we accept."""
    if parameter.get("in") == "path":
        parameter["schema"] = dict(PATH_ID)
        return
    name = parameter["name"]
    if name in SCHEMAS:
        parameter["schema"] = copy.deepcopy(SCHEMAS[name])
    if name in DESCRIPTIONS:
        parameter["description"] = DESCRIPTIONS[name]
    if parameter["schema"].get("type") == "array":
        parameter["style"], parameter["explode"] = "form", False


def known_codes(parameters: dict) -> None:
    """Set the enums of the coded parameters in `components/parameters` from the data."""
    # The document says what the database holds now (it is built rarely; requests take the catalogue's).
    parameters["borough"]["schema"]["enum"] = list(params.borough_slugs(max_age=0))
    parameters[dimensions.PATHWAY.param]["schema"]["enum"] = params.pathway_slugs(max_age=0)
    for d in params.API_DIMENSIONS:
        parameters[d.param]["schema"]["items"]["enum"] = params.vocabulary_codes(d.vocabulary, max_age=0)
