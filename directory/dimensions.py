"""The vocabularies people filter services by, each named once: its taxonomy, parameters and labels.

Search, its index, the public filters, the Open Referral API, unmet-need counts, listing snapshots,
the agency form, moderation diffs, imports, exports and the seed all read this table, so adding a
vocabulary is one entry here plus its taxonomy in `reference.py` (and a filter in `search/filters.py`
when it is searchable in a new way).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    """One filterable vocabulary."""

    key: str  # index field, facet key and search filter key
    param: str  # URL parameter on the public search and in the API
    field: str  # attribute of a search request, field of the agency form, column of the CSV export
    public_label: str  # what the public filter is headed
    agency_label: str  # what the agency form and moderation diffs call it
    vocabulary: str | None  # taxonomy code; None for care pathways, which are not a taxonomy
    api_description: str  # the API parameter's description in the OpenAPI document
    seed_key: str = ""  # key in the seed's listing specs

    @property
    def vocabulary_words(self) -> str:
        """Return the vocabulary as words, for messages ("service type")."""
        return (self.vocabulary or self.key).replace("-", " ").replace("_", " ")


SERVICE_TYPE = Dimension(
    key="service_type", param="service_type", field="service_types",
    public_label="Type of service", agency_label="Types of help",
    vocabulary="service-type", api_description="Kind of help.", seed_key="types",
)
AUDIENCE = Dimension(
    key="audience", param="audience", field="audiences",
    public_label="Who it is for", agency_label="Who it is for",
    vocabulary="audience", api_description="Who the service is for.", seed_key="audiences",
)
REFERRAL_ROUTE = Dimension(
    key="referral_route", param="referral_route", field="referral_routes",
    public_label="How to get in", agency_label="How to get in",
    vocabulary="referral-route", api_description="How people get in.", seed_key="referral_routes",
)
DELIVERY = Dimension(
    key="delivery", param="delivery", field="delivery",
    public_label="How it is delivered", agency_label="How it is delivered",
    vocabulary="delivery", api_description="In person, phone, online or postal.", seed_key="delivery",
)
PATHWAY = Dimension(
    key="pathway", param="pathway", field="pathway",
    public_label="Care pathway", agency_label="Care pathways",
    vocabulary=None, api_description="Services on this care pathway (its slug, e.g. `chemsex-support`).",
)

# The taxonomy vocabularies, in the order forms, facets and snapshots show them.
TAXONOMIES: tuple[Dimension, ...] = (SERVICE_TYPE, AUDIENCE, REFERRAL_ROUTE, DELIVERY)
ALL: tuple[Dimension, ...] = (*TAXONOMIES, PATHWAY)

BY_KEY = {d.key: d for d in ALL}
BY_VOCABULARY = {d.vocabulary: d for d in TAXONOMIES}
VOCABULARIES: tuple[str, ...] = tuple(d.vocabulary for d in TAXONOMIES)


def first_these(*first: Dimension, among: tuple[Dimension, ...] = ALL) -> tuple[Dimension, ...]:
    """Return `among` with `first` leading in that order: for orders already published or stored
    (the API's parameters, unmet-need keys), which a new dimension joins at the end."""
    return (*first, *(d for d in among if d not in first))
