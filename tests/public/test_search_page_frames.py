"""The results page's filter options and links come out the same with their speed tricks (filter_frames.py,
search_links.py, layout_frames.py) on or off, and follow the reference data and the listings when they
change."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory import search
from directory.extensions import db
from directory.models import Borough, Pathway, TaxonomyTerm
from directory.public import filter_frames
from directory.public.forms import SearchQuery
from directory.public.search_links import SearchLinks
from tests.conftest import USING_POSTGRES

NIL = "00000000-0000-0000-0000-000000000000"
OTHER = "3f2b9c1e-8d4a-4c6b-9e2f-1a7d5b3c8e40"  # well formed, of no service


def _search(**params) -> str:
    return "/search?" + urlencode(params, doseq=True)


URLS = [
    "/search", _search(q="chemsex"), _search(q="zzzzqqq"), _search(borough="lambeth"),
    _search(borough="E09000022"), _search(borough="e09000022"), _search(borough="LAMBETH"),
    _search(borough="any", postcode="SW9 8AA"), _search(borough="nowhere"),
    _search(service_type="helpline"), _search(service_type=["sexual-health", "helpline", "nonsense"]),
    _search(q="chemsex", audience="gay-bi-msm", referral_route="self-referral", delivery="online"),
    _search(pathway="chemsex-support"), _search(pathway="nonsense", q="pep"),
    _search(q="chemsex", borough="lambeth", open=1, unlisted=1, pathway="pep-within-72-hours"),
    # No search done (an error): every option shows, with no counts.
    _search(q="bad\x01text"), _search(q="x" * 300, service_type="helpline"), _search(postcode="SW9\x018AA"),
    # Page links: first, middle, last, past the end, with a list, with the stand-in in the words.
    "/search?page=2", "/search?page=3&sort=name", _search(q="support", page=3), _search(page=999),
    _search(page=2, delivery="in-person", s=[NIL]), _search(q="2147483646", page=2),
    _search(q="page=2147483646", page=2), _search(page=2, exact=1, open=1, elsewhere="lambeth"),
    _search(q="sexul helth", page=2),
]


def _both_ways(app, client, url: str):
    """Return the page with frames, made cold, without them, and with them again, made warm."""
    filter_frames.clear()
    app.config["CARD_FRAMES"] = True
    cold = client.get(url)
    app.config["CARD_FRAMES"] = False
    plain = client.get(url)
    app.config["CARD_FRAMES"] = True
    warm = client.get(url)
    assert cold.status_code == plain.status_code == warm.status_code, url
    return cold.get_data(as_text=True), plain.get_data(as_text=True), warm.get_data(as_text=True)


def test_results_pages_are_the_same_with_and_without_filter_frames(seeded_app, seeded_pinned):
    client = seeded_app.test_client()
    for url in URLS:
        cold, plain, warm = _both_ways(seeded_app, client, url)
        assert cold == plain == warm, url


def test_the_pages_compared_show_what_the_frames_make(seeded_app, seeded_pinned):
    client = seeded_app.test_client()
    pages = {url: client.get(url).get_data(as_text=True) for url in URLS}
    assert '<option value="lambeth" selected>Lambeth</option>' in pages[_search(borough="e09000022")]
    borough_select = pages[_search(borough="LAMBETH")].split('id="borough"')[1].split("</select>")[0]
    assert " selected>" not in borough_select
    helpline = pages[_search(service_type=["sexual-health", "helpline", "nonsense"])]
    assert 'value="helpline" checked>' in helpline and 'value="sexual-health" checked>' in helpline
    error = pages[_search(q="bad\x01text")]
    assert 'value="helpline">' in error
    assert 'class="count"' not in error.split('id="filters"')[1].split("</form>")[0]
    assert 'class="pagination"' in pages["/search?page=2"]
    assert 'href="/search#results"' in pages["/search?page=2"]  # the first page names no page
    assert 'rel="prev"' in pages[_search(page=2, delivery="in-person", s=[NIL])]


def _rename_reference_data(term_name: str, pathway_name: str, borough_name: str) -> None:
    db.session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "helpline")).one().name = term_name
    db.session.scalars(select(Pathway).where(Pathway.slug == "chemsex-support")).one().name = pathway_name
    db.session.scalars(select(Borough).where(Borough.slug == "camden")).one().name = borough_name
    db.session.commit()


def test_names_that_hold_stand_ins_or_markup_come_out_the_same(seeded_app, seeded_pinned):
    # PostgreSQL refuses NUL characters in text; SQLite keeps them.
    odd = "\x000\x00 <b>&" if not USING_POSTGRES else "{0} <b>&"
    _rename_reference_data(f"Help {odd} line", f"Chemsex {odd}", f"Camden {odd}")
    search.catalogue().fresh(max_age=0)
    client = seeded_app.test_client()
    for url in ["/search", _search(q="chemsex", service_type="helpline", pathway="chemsex-support"),
                _search(borough="camden", q="bad\x01text"), _search(borough="camden", q="zzzzqqq")]:
        cold, plain, warm = _both_ways(seeded_app, client, url)
        assert cold == plain == warm, url
        if "zzzzqqq" not in url:  # a search that finds nothing shows no option nobody chose
            assert "Help " + odd.replace("<b>&", "&lt;b&gt;&amp;") + " line" in cold, url


def test_the_options_follow_the_reference_data_when_it_is_read_again(seeded_app, seeded_pinned):
    client = seeded_app.test_client()
    client.get("/search")
    catalogue = search.catalogue()
    options = filter_frames._built[catalogue]
    client.get(_search(q="chemsex"))
    assert filter_frames._built[catalogue] is options, "built once per load of the reference data"
    _rename_reference_data("Phone lines", "Chemsex care", "Camden Town")
    db.session.add(Pathway(slug="new-pathway", name="A new pathway", position=99))
    db.session.commit()
    catalogue.fresh(max_age=0)  # reference data is re-read once a minute
    page = client.get("/search").get_data(as_text=True)
    assert filter_frames._built[catalogue] is not options
    assert "Phone lines" in page and ">Chemsex care (" in page and ">Camden Town</option>" in page
    page = client.get(_search(pathway="new-pathway")).get_data(as_text=True)
    assert '<option value="new-pathway" selected>A new pathway (0)</option>' in page


def test_the_counts_follow_the_listings(app, make, pinned):
    client = app.test_client()
    count = 'id="service_type-helpline" name="service_type" value="helpline">\n' \
            '                  <label for="service_type-helpline">'
    make.service(name="Zyxomba line one", types=("helpline",))
    first = client.get(_search(q="zyxomba")).get_data(as_text=True)
    assert '<span class="count">(1)</span>' in first.split(count)[1].split("</div>")[0]
    make.service(name="Zyxomba line two", types=("helpline",))
    second = client.get(_search(q="zyxomba")).get_data(as_text=True)
    assert '<span class="count">(2)</span>' in second.split(count)[1].split("</div>")[0]


ARGS = [
    {}, {"q": "tina"}, {"page": "3"}, {"q": "tina", "page": "2", "service_type": ["helpline", "counselling"]},
    {"q": "2147483646"}, {"q": "page=2147483646&x"}, {"open": "1", "unlisted": "1", "exact": "1"},
    {"service_type": "helpline"}, {"q": "<b>\"chemsex\"</b> & 'more' +%20 £ ☃ #x /?:@!$()*,;"},
    {"borough": "lambeth", "postcode": "SW9 8AA", "sort": "distance", "miles": "2"},
]


@pytest.mark.parametrize("args", ARGS)
@pytest.mark.parametrize("ids", [[], [NIL], [NIL, OTHER]])
def test_links_to_other_searches_are_those_url_for_builds(app, args, ids):
    query = SearchQuery.from_args(MultiDict(args))
    for script_root in ("", "/directory"):
        with app.test_request_context("/search", base_url=f"http://localhost{script_root}/"):
            fast, built = SearchLinks(query, ids), SearchLinks(query, ids, frames=False)
            assert built.page(None).startswith(f"{script_root}/search")
            for n in (None, 1, 2, 7, 1000):
                assert fast.page(n) == built.page(n), (n, built.page(n))
            for changes in ({}, {"page": None}, {"q": None, "service_type": []}, {"borough": "any"},
                            {"service_type": ["helpline", None, "x y"], "page": 3}, {"elsewhere": "camden"}):
                values = {"s": ids, **query.args(**changes)}
                assert fast.search(**values) == built.search(**values), values
            assert fast.search(q=query.text or None, s=ids) == built.search(q=query.text or None, s=ids)


def test_every_kind_of_page_has_the_same_navigation_and_footer_either_way(seeded_app, seeded_pinned):
    from flask import url_for

    from directory.public import layout_frames

    with seeded_app.test_request_context():
        sections = [url_for(e) for e in (
            "public.home", "public.about", "public.pathways", "public.signposting_list",
            "resources.resources", "network.members_page", "insights.coverage_matrix", "auth.login")]
    slug = db.session.scalars(select(Pathway.slug)).first()
    urls = [*sections, f"/pathways/{slug}", f"/list?s={NIL}", _search(s=[NIL, OTHER]), _search(q="tina"),
            "/no-such-page", f"/?s={NIL}"]
    client = seeded_app.test_client()
    for url in urls:
        layout_frames.clear()
        cold, plain, warm = _both_ways(seeded_app, client, url)
        assert cold == plain == warm, url
        assert 'class="footer-links"' in cold and 'class="nav-list"' in cold, url
    # The list's count and the current section are part of the navigation's key.
    listed = client.get(_search(s=[NIL, OTHER])).get_data(as_text=True)
    assert '<span class="list-count" id="list-count">(2)</span>' in listed
    about = client.get(sections[1]).get_data(as_text=True)
    assert 'About the data</a>' in about and 'aria-current="page">About the data' in about
