"""Service pages from one page of the index and cached documents: the bytes listing every match gave."""

import random

import pytest
from flask import jsonify
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from directory import revisions
from directory.api import document_cache, params, queries, responses, views
from directory.extensions import db
from directory.models import IndexChange, InterchangeRecord, Service

API = "/api/v1/services"

QUESTIONS = [
    {},
    {"per_page": "7", "page": "2"},
    {"per_page": "1000"},
    {"full": "true", "per_page": "9", "page": "3"},
    {"minimal": "true", "per_page": "5"},
    {"search": "chemsex"},
    {"search": "tina", "per_page": "3"},
    {"search": "tina", "per_page": "3", "page": "2"},
    {"search": "sexual health", "borough": "lambeth", "full": "true"},
    {"search": "sexul helth"},
    {"search": "zzzzqqq"},
    {"search": "pep", "page": "999"},
    {"borough": "camden", "per_page": "4", "page": "2"},
    {"borough": "E09000022"},
    {"service_type": "sexual-health", "audience": "gay-bi-msm", "search": "pep"},
    {"postcode": "SW9 8AA", "proximity": "5000"},
    {"postcode": "W1D 6AQ", "search": "hiv test", "per_page": "6", "page": "2"},
    {"open_now": "true", "search": "alcohol"},
    {"pathway": "chemsex-support", "per_page": "2", "page": "2"},
    {"modified_after": "2000-01-01", "search": "alcohol", "per_page": "3", "page": "2"},
    {"taxonomy_id": "nonsense", "search": "alcohol"},
]


def reference_body(app, args: dict) -> bytes:
    """Answer a page the way the API did before: every matching id listed, sliced, documents built."""
    with app.test_request_context(API, query_string=args):
        request_args = MultiDict(args)
        paging = params.paging(request_args)
        query = params.service_query(request_args)
        ids = queries.service_ids(query)
        page_ids = ids[(paging.page - 1) * paging.per_page :][: paging.per_page]
        contents = list(views._service_documents(page_ids, full=query.full, minimal=query.minimal))
        return jsonify(responses.page(contents, len(ids), paging)).get_data()


def assert_same_as_before(app, client, args):
    response = client.get(API, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_data() == reference_body(app, args), args


@pytest.mark.parametrize("args", QUESTIONS)
def test_seeded_pages_are_the_bytes_listing_every_match_gave(seeded_app, seeded_client, args):
    assert_same_as_before(seeded_app, seeded_client, args)
    assert_same_as_before(seeded_app, seeded_client, args)  # the second time from cached documents


def test_synthetic_pages_are_the_bytes_listing_every_match_gave(app, client, make):
    rng = random.Random(18)
    words = ["sexual health clinic", "chemsex support", "drug and alcohol service", "needle exchange",
             "counselling", "tina and G support", "PEP and PrEP", "trans health"]
    types = ["sexual-health", "chemsex-support", "drug-alcohol-treatment", "harm-reduction", "counselling"]
    boroughs = ["lambeth", "camden", "hackney", "southwark", None]
    for n in range(45):
        make.service(
            name=f"{rng.choice(['North', 'South', 'Central'])} {rng.choice(words)} {n}",
            description=" ".join(rng.sample(words, 3)),
            types=(rng.choice(types),),
            borough_slug=rng.choice(boroughs),
            commit=n % 9 == 8,
        )
    db.session.commit()
    pages = [{"search": w.split()[0], "per_page": str(p), "page": str(n)}
             for w in words for p, n in ((4, 1), (4, 2), (3, 5))]
    pages += [{"borough": b, "per_page": "5", "page": "2"} for b in boroughs if b]
    pages += [{"service_type": t, "search": "support", "per_page": "2", "page": "2"} for t in types]
    pages += [{"per_page": "10", "page": str(n)} for n in (1, 4, 5, 6)]
    for args in pages:
        assert_same_as_before(app, client, args)


def test_pages_split_the_matches_without_gaps_or_repeats(seeded_client):
    every = client_get(seeded_client, {"search": "sexual health", "per_page": "1000"})
    names = [s["id"] for s in every["contents"]]
    assert every["total_items"] == len(names) > 7
    seen = []
    pages = -(-len(names) // 7)
    for number in range(1, pages + 1):
        body = client_get(seeded_client, {"search": "sexual health", "per_page": "7", "page": str(number)})
        assert body["total_items"] == len(names) and body["total_pages"] == pages
        assert body["first_page"] is (number == 1) and body["last_page"] is (number == pages)
        seen += [s["id"] for s in body["contents"]]
    assert seen == names
    beyond = client_get(seeded_client, {"search": "sexual health", "per_page": "7", "page": str(pages + 1)})
    assert beyond["contents"] == [] and beyond["empty"] is True and beyond["total_items"] == len(names)


def client_get(client, args) -> dict:
    response = client.get(API, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_a_listing_unpublished_behind_the_index_never_shows(seeded_client):
    first = client_get(seeded_client, {"search": "chemsex", "per_page": "5"})["contents"][0]
    # Straight to the table, with no change-log entry: the index still holds it, the page re-check must not.
    db.session.execute(update(Service).where(Service.id == first["id"]).values(is_published=False))
    db.session.commit()
    shown = client_get(seeded_client, {"search": "chemsex", "per_page": "5"})["contents"]
    assert first["id"] not in [s["id"] for s in shown]


def test_an_edit_reaches_the_next_page_through_the_change_log(seeded_app, seeded_client):
    listed = client_get(seeded_client, {"search": "chemsex", "per_page": "3"})["contents"]
    service = db.session.get(Service, listed[0]["id"])
    service.description = "Now also answers questions about zebrafinches."
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    found = client_get(seeded_client, {"search": "zebrafinches", "per_page": "3"})["contents"]
    assert [s["id"] for s in found] == [service.id]
    assert found[0]["description"] == "Now also answers questions about zebrafinches."
    assert_same_as_before(seeded_app, seeded_client, {"search": "chemsex", "per_page": "3"})


@pytest.mark.parametrize(
    "args", [{"search": "tina", "full": "true"}, {"borough": "hackney", "minimal": "true"}, {"page": "2"}]
)
def test_the_document_cache_off_gives_the_same_bytes(seeded_client, args):
    app = seeded_client.application
    cached = seeded_client.get(API, query_string=args).get_data()
    assert len(document_cache.cache()) > 0
    app.config["API_DOCUMENT_CACHE"] = 0
    app.extensions.pop("api_document_cache")
    assert document_cache.cache() is None
    assert seeded_client.get(API, query_string=args).get_data() == cached


def change_log(*service_ids, seq=None):
    """Write change-log entries as a listing change would (with an explicit number when given)."""
    for service_id in service_ids:
        db.session.add(IndexChange(service_id=service_id, **({"seq": seq} if seq else {})))
    db.session.commit()


def test_the_store_keeps_at_most_its_limit_and_drops_only_the_changed_listing(seeded_app):
    store = document_cache.DocumentCache(entries=4, follow_every=0)
    built = []

    def build(missing):
        built.extend(missing)
        return {key: {"id": key[0], "n": len(built)} for key in missing}

    def ask(*keys):
        found = store.documents(list(keys), build)
        return [found[k]["id"] for k in keys]

    keys = [("a", "full"), ("b", "full"), ("c", "full"), ("d", "full"), ("e", "full")]
    assert ask(*keys) == ["a", "b", "c", "d", "e"]
    assert len(store) == 4  # "a", the least recently used, went
    ask(("e", "full"), ("d", "summary"))
    assert built[-1] == ("d", "summary")  # another variant is another document
    assert ("e", "full") not in built[5:]  # "e" came from the store
    count = len(built)
    change_log("d")
    ask(("c", "full"), ("d", "full"), ("d", "summary"), ("e", "full"))
    # Every variant of the changed listing was built again, and nothing else.
    assert sorted(built[count:]) == [("d", "full"), ("d", "summary")]


def test_an_entry_that_commits_late_still_drops_its_listing(seeded_app):
    store = document_cache.DocumentCache(entries=10, follow_every=0)
    built = []

    def build(missing):
        built.extend(missing)
        return {key: {"id": key[0]} for key in missing}

    change_log("x")
    top = db.session.scalar(select(func.max(IndexChange.seq)))
    store.documents([("a", "full"), ("b", "full")], build)
    # On PostgreSQL an entry's number is taken before its transaction commits: top + 2 can show first.
    change_log("a", seq=top + 2)
    store.documents([("a", "full"), ("b", "full")], build)
    assert built.count(("a", "full")) == 2 and built.count(("b", "full")) == 1
    change_log("b", seq=top + 1)  # the earlier number, visible only now
    store.documents([("a", "full"), ("b", "full")], build)
    assert built.count(("b", "full")) == 2 and built.count(("a", "full")) == 2


SAL_API = "/api/v1/service_at_locations"


@pytest.mark.parametrize(
    "args",
    [{}, {"search": "sexual health", "per_page": "5", "page": "2"}, {"postcode": "SW9 8AA", "full": "true"},
     {"borough": "camden", "postcode": "N1 9GU", "proximity": "8000"}],
)
def test_service_at_location_pages_and_ndjson_are_the_same_bytes_from_the_store(seeded_client, args):
    app = seeded_client.application
    first = seeded_client.get(SAL_API, query_string=args).get_data()
    assert seeded_client.get(SAL_API, query_string=args).get_data() == first  # now from the store
    streamed = seeded_client.get(API, query_string={**args, "format": "ndjson"}).get_data()
    assert seeded_client.get(API, query_string={**args, "format": "ndjson"}).get_data() == streamed
    app.config["API_DOCUMENT_CACHE"] = 0
    app.extensions.pop("api_document_cache")
    assert seeded_client.get(SAL_API, query_string=args).get_data() == first
    assert seeded_client.get(API, query_string={**args, "format": "ndjson"}).get_data() == streamed


def test_an_edit_reaches_stored_service_at_locations(seeded_client):
    listed = client_get(seeded_client, {"search": "chemsex", "per_page": "3"})["contents"]
    before = seeded_client.get(SAL_API, query_string={"search": "chemsex"}).get_json()["contents"]
    service = db.session.get(Service, listed[0]["id"])
    assert service.id in [d["service"]["id"] for d in before]
    service.name = service.name + " (renamed)"
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    after = seeded_client.get(SAL_API, query_string={"search": "chemsex"}).get_json()["contents"]
    assert {d["service"]["name"] for d in after if d["service"]["id"] == service.id} == {service.name}


def test_other_nodes_changes_are_read_within_a_second_and_this_nodes_at_once(seeded_client):
    listed = client_get(seeded_client, {"search": "chemsex", "per_page": "3"})["contents"]
    store = document_cache.cache()
    store.follow_every = 3600  # as if the last read of the log were a moment ago
    store.follow_soon()
    client_get(seeded_client, {"search": "chemsex", "per_page": "3"})
    service_id = listed[0]["id"]
    assert seeded_client.get(f"{API}/{service_id}").get_json()["description"] == listed[0]["description"]
    # Another node's change: a row in the log and the table, with nothing in this process knowing.
    with db.engine.begin() as connection:
        connection.execute(update(Service).where(Service.id == service_id).values(description="Elsewhere."))
        connection.execute(IndexChange.__table__.insert().values(service_id=service_id))
    def shown() -> str:
        # Asked by id: a new description also moves the listing in a search's order.
        return seeded_client.get(f"{API}/{service_id}").get_json()["description"]

    assert shown() == listed[0]["description"]  # not read yet: within the second
    store.follow_every = 0  # the second has passed
    assert shown() == "Elsewhere."
    store.follow_every = 3600
    service = db.session.get(Service, service_id)
    db.session.refresh(service)
    service.description = "Changed here."
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()  # this process's own commit is read on the next request
    assert shown() == "Changed here."


def test_a_location_unpublished_behind_the_change_log_never_shows(seeded_client):
    first = seeded_client.get(SAL_API, query_string={"search": "chemsex"}).get_json()["contents"][0]
    service_id = first["service"]["id"]
    # Straight to the table, with no change-log entry: the stored list of locations still holds it.
    db.session.execute(update(Service).where(Service.id == service_id).values(is_published=False))
    db.session.commit()
    shown = seeded_client.get(SAL_API, query_string={"search": "chemsex"}).get_json()["contents"]
    assert service_id not in [d["service"]["id"] for d in shown]


def test_a_remainder_changed_on_its_own_reaches_the_stored_document(seeded_client):
    first = client_get(seeded_client, {"search": "chemsex", "per_page": "1"})["contents"][0]
    assert "interpretation_services" not in first
    # What a re-import writes when only the fields we do not model changed: no listing change at all.
    db.session.add(InterchangeRecord(entity_type="service", entity_id=first["id"],
                                     data={"service": {"interpretation_services": "BSL on request"}}))
    db.session.commit()
    again = client_get(seeded_client, {"search": "chemsex", "per_page": "1"})["contents"][0]
    assert again["interpretation_services"] == "BSL on request"


def test_a_page_joined_from_encoded_documents_keeps_every_character_and_its_etag(app, client, make):
    for n in range(3):
        make.service(name=f"Café “Zyxomba” – clínica {n}",
                     description="Ünïcode and <tags> & \"quotes\" \u2028.")
    args = {"search": "zyxomba", "per_page": "2"}
    assert_same_as_before(app, client, args)
    assert_same_as_before(app, client, args)  # joined from the stored texts
    first = client.get(API, query_string=args)
    again = client.get(API, query_string=args, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and first.headers["Content-Type"] == "application/json"


def test_in_debug_mode_pages_are_indented_as_flask_gives_them(app, client, make):
    make.service(name="Zyxomba clinic")
    app.debug = True
    try:
        body = client.get(API, query_string={"search": "zyxomba"}).get_data()
        assert body == reference_body(app, {"search": "zyxomba"}) and b'\n  "contents": [' in body
    finally:
        app.debug = False
