""""Open now" counts the services it cannot judge (they list no hours) and can include them."""

import pytest

from directory import search

WEDNESDAY_AFTERNOON = "2026-03-04T14:30:00"


@pytest.fixture
def services(app, make):
    app.config["DIRECTORY_NOW"] = WEDNESDAY_AFTERNOON
    make.service(name="Zyxomba open clinic", postcode="SW9 8BS", hours=[(2, "09:00", "17:00")],
                 description="Daytime sessions.")
    make.service(name="Zyxomba closed clinic", postcode="SW9 8BS", hours=[(0, "09:00", "17:00")])
    make.service(name="Zyxomba clinic A, no hours", postcode="SW9 8BS")
    make.service(name="Zyxomba clinic B, no hours", postcode="SW9 8BS")
    make.service(name="Zyxomba helpline, no hours", types=("helpline",), location_type="virtual")


def run(**criteria):
    return search.search(search.SearchRequest(text="zyxomba", per_page=None, **criteria))


def names(result):
    return sorted(hit.listing.name for hit in result.hits)


def test_open_now_says_how_many_matching_services_list_no_hours(services):
    result = run(open_now=True)
    assert names(result) == ["Zyxomba open clinic"]
    assert (result.hours_unlisted, result.hours_unlisted_included) == (3, False)
    # The count obeys every other filter: a helpline is not a drug service.
    assert run(open_now=True, service_types=["drug-alcohol-treatment"]).hours_unlisted == 2


def test_including_them_adds_exactly_the_services_with_no_hours(services):
    result = run(open_now=True, include_unlisted_hours=True)
    assert names(result) == ["Zyxomba clinic A, no hours", "Zyxomba clinic B, no hours",
                             "Zyxomba helpline, no hours", "Zyxomba open clinic"]
    assert result.total == 4 and (result.hours_unlisted, result.hours_unlisted_included) == (3, True)
    assert "Zyxomba closed clinic" not in names(result)  # its hours say closed: still left out
    assert result.facets["open_now"] == {"yes": 1}  # the "open now" count stays the open ones


def test_without_open_now_there_is_no_count_and_including_means_nothing(services):
    for result in (run(), run(include_unlisted_hours=True)):
        assert result.total == 5 and result.hours_unlisted is None and not result.hours_unlisted_included


def test_the_count_is_zero_when_every_match_lists_hours(services):
    result = search.search(search.SearchRequest(text="zyxomba daytime", open_now=True))
    assert result.total == 1 and result.hours_unlisted == 0


def test_a_search_finding_nothing_open_still_counts_the_unknown_ones(app, make):
    app.config["DIRECTORY_NOW"] = WEDNESDAY_AFTERNOON
    make.service(name="Qwertz clinic", postcode="SW9 8BS")
    result = search.search(search.SearchRequest(text="qwertz", open_now=True))
    assert (result.total, result.hours_unlisted) == (0, 1)
