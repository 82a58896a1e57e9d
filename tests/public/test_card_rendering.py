"""Cards and their links come out the same with the speed tricks (frames, link patterns) on or off."""

import functools
import importlib
import pkgutil
from collections import OrderedDict
from urllib.parse import urlencode

import pytest
from markupsafe import Markup
from sqlalchemy import select

import directory.public
import directory.search
from directory import search, signposting
from directory.extensions import db
from directory.models import Pathway, Service
from directory.public import card_rendering, cards, frames
from tests.conftest import USING_POSTGRES

NIL = "00000000-0000-0000-0000-000000000000"


def _seeded_ids() -> list[str]:
    return sorted(db.session.scalars(select(Service.id)))


def _chemsex_ids() -> list[str]:
    # Services a chemsex search shows, so that some cards are of services already on the list.
    result = search.search(search.SearchRequest(text="chemsex", per_page=None))
    return [hit.listing.id for hit in result.hits]


def _search(**params) -> str:
    return "/search?" + urlencode(params, doseq=True)


# Each builds its pages' addresses from the seeded ids and pathway slugs.
PAGES = {
    "every seeded card": lambda ids, shown, slugs: [f"/search?page={n}" for n in range(1, 6)],
    "snippets": lambda ids, shown, slugs: [
        _search(q="chemsex"), _search(q="support", page=2), _search(q="tina", sort="name"),
        _search(q="sexul helth"),
        _search(q="zzzzqqq"), _search(q="<b>chemsex</b> & \"more\"")],
    "distances": lambda ids, shown, slugs: [
        _search(q="sexual health", postcode="SW9 8AA"), _search(postcode="W1D 6AQ", sort="distance", miles=3),
        _search(q="chemsex", postcode="E8", open=1)],
    "borough why": lambda ids, shown, slugs: [
        _search(q="chemsex", borough="lambeth"), _search(borough="camden"),
        _search(borough="E09000022", page=2),
        _search(q="pep", borough="hackney", postcode="SW9 8AA", pathway="chemsex-support")],
    "list in the links": lambda ids, shown, slugs: [
        _search(q="chemsex", s=ids[:2]), _search(q="chemsex", s=[*shown[:3], ids[0]]),
        _search(q="tina", borough="lambeth", s=shown[:1], back="/search?q=g"),
        f"/services/{shown[0]}?" + urlencode({"s": shown[:3]}, doseq=True), f"/services/{ids[5]}?s={ids[0]}",
        "/list?" + urlencode({"s": ids[:5], "back": "/search?q=g"}, doseq=True), "/?s=" + ids[0]],
    "list one short of full": lambda ids, shown, slugs: [
        _search(q="chemsex", s=ids[-(signposting.MAX_ITEMS - 1):]),
        _search(s=[*shown[:2], *ids[:signposting.MAX_ITEMS - 3]])],
    "list full": lambda ids, shown, slugs: [
        _search(q="chemsex", s=ids[:signposting.MAX_ITEMS]),
        _search(s=[*shown, *ids][:signposting.MAX_ITEMS + 3]),
        "/list?" + urlencode({"s": ids[:signposting.MAX_ITEMS]}, doseq=True),
        f"/services/{ids[30]}?" + urlencode({"s": ids[:signposting.MAX_ITEMS]}, doseq=True)],
    "stand-in ids": lambda ids, shown, slugs: [
        _search(q="chemsex", s=[NIL]), _search(q="chemsex", s=[ids[0], NIL.upper(), shown[0]]),
        _search(q=f"s={NIL}", xs=NIL, s=ids[:1]), f"/services/{shown[0]}?s={NIL}",
        f"/list?s={NIL}&s={ids[3]}",
        _search(q="zyxomba", s=ids[:1]), _search(q="zyxomba", borough="lambeth", postcode="SW9 8AA")],
    "pathways": lambda ids, shown, slugs: [
        url for slug in slugs for url in (
            f"/pathways/{slug}", f"/pathways/{slug}?borough=lambeth", f"/pathways/{slug}?borough=E09000007",
            f"/pathways/{slug}?" + urlencode({"s": [*shown[:2], NIL], "borough": "hackney"}, doseq=True),
            f"/pathways/{slug}?" + urlencode({"s": ids[:signposting.MAX_ITEMS]}, doseq=True))],
}


def _add_look_alikes():
    """Add services whose id is the link stand-in and whose text holds the frame stand-ins."""
    from tests.factories import Factories

    make = Factories()
    make.service(id=NIL, name="Stand-in clinic", description="A zyxomba clinic.", postcode="SW9 8BS",
                 hours=[(d, "09:00", "17:00") for d in range(7)])
    # PostgreSQL refuses NUL characters in text; SQLite keeps them.
    odd = "\x000\x00 \x003\x00" if not USING_POSTGRES else "{0} {3}"
    make.service(name=f"Odd {odd} clinic <b>", organisation=make.organisation(name=f"Org {odd} & co"),
                 description="Another zyxomba clinic.", postcode="SW9 8BS")


def _both_ways(app, client, url: str) -> tuple[bytes, bytes, bytes]:
    """Return the page with frames, made cold, without them, and with them again, made warm."""
    frames.frame.cache_clear()
    card_rendering.status_badge.cache_clear()
    app.config["CARD_FRAMES"] = True
    cold = client.get(url)
    app.config["CARD_FRAMES"] = False
    frames_before = frames.frame.cache_info()
    plain = client.get(url)
    assert frames.frame.cache_info() == frames_before, "with CARD_FRAMES off no frame is used"
    app.config["CARD_FRAMES"] = True
    warm = client.get(url)
    assert cold.status_code == plain.status_code == warm.status_code == 200, url
    return cold.get_data(), plain.get_data(), warm.get_data()


@pytest.fixture
def pages(seeded_app, seeded_pinned):
    """Return a function giving the addresses of one kind of page, with look-alike services added."""
    _add_look_alikes()
    ids = _seeded_ids()
    shown = _chemsex_ids()
    slugs = sorted(db.session.scalars(select(Pathway.slug)))
    assert len(ids) > 40 and len(shown) > 3 and slugs
    return lambda kind: PAGES[kind](ids, shown, slugs)


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_is_the_same_with_and_without_card_frames(seeded_app, pages, kind):
    client = seeded_app.test_client()
    for url in pages(kind):
        cold, plain, warm = _both_ways(seeded_app, client, url)
        assert cold == plain == warm, url


def test_the_pages_show_what_the_comparison_is_meant_to_cover(seeded_app, pages):
    client = seeded_app.test_client()
    seen = {kind: b"".join(client.get(url).get_data() for url in pages(kind)) for kind in PAGES}
    assert seen["every seeded card"].count(b'class="card"') == 86  # 84 seeded and the 2 look-alikes
    assert b"<mark>" in seen["snippets"] and b'class="snippet"' in seen["snippets"]
    assert b" miles" in seen["distances"] or b" mile" in seen["distances"]
    assert b'class="why"' in seen["borough why"] and b'class="why"' in seen["pathways"]
    assert seen["list full"].count(b"add-to-list") > 20
    assert f'href="/services/{NIL}'.encode() in seen["stand-in ids"] and b"Odd " in seen["stand-in ids"]
    assert USING_POSTGRES or b"Odd \x000\x00 \x003\x00 clinic &lt;b&gt;" in seen["stand-in ids"]


@pytest.mark.parametrize("break_it", ["frame drops the snippet", "link pattern drops the list"])
def test_the_comparison_catches_a_fast_path_that_differs(seeded_app, pages, monkeypatch, break_it):
    if break_it == "frame drops the snippet":
        real = card_rendering.render
        monkeypatch.setattr(card_rendering, "render", lambda *args, snippet=None, **kw: real(*args, **kw))
        urls = pages("snippets")
    else:
        real = card_rendering.Page._keeping

        def pattern_without_the_list(page, path, ids):
            return real(page, path, [] if card_rendering._ID_STAND_IN in path else ids)

        monkeypatch.setattr(card_rendering.Page, "_keeping", pattern_without_the_list)
        urls = pages("list in the links")
    client = seeded_app.test_client()
    differ = [url for url in urls if len(set(_both_ways(seeded_app, client, url))) > 1]
    assert differ, "the comparison would not have caught it"


# --- the card as its macros render it ---------------------------------------------------------------


def _macros(app):
    return app.jinja_env.get_template("public/_macros.html").module


def _rendered_whole(macros, card, heading_level=3, id_prefix="", *, snippet=None, distance=None, why=None,
                    **per_page):
    """The card as the macros give it, each rendered in full: what card_rendering.render must equal."""
    where_part = (macros.card_distance(distance) if distance else "") + (macros.card_why(why) if why else "")
    return macros.card_layout(service=card, heading_level=heading_level, id_prefix=id_prefix,
                              snippet_part=macros.card_snippet(snippet) if snippet else "",
                              where_part=where_part, **per_page)


SHAPES = [
    {"snippet": None, "distance": None, "why": None},
    {"snippet": Markup("A <mark>chemsex</mark> clinic &amp; more"), "distance": "about 1.2 miles",
     "why": "in Lambeth; open to anyone"},
    {"snippet": None, "distance": "under <1 mile & close", "why": None},
    {"snippet": Markup("<mark>tina</mark>"), "distance": None, "why": 'for "Lambeth" residents'},
]


def test_status_badges_say_open_closed_or_unknown_and_escape_the_text():
    assert card_rendering.status_badge("Open now, until 17:00") == (
        '<span class="status status-open">Open now, until 17:00</span>')
    assert 'status-closed">Closed, opens Tuesday 09:00<' in card_rendering.status_badge(
        "Closed, opens Tuesday 09:00")
    assert "Opening times not listed" in card_rendering.status_badge("")
    assert "&lt;b&gt;" in card_rendering.status_badge("Open <b>")


def test_every_seeded_card_renders_as_its_macros_do_in_every_shape(seeded_app):
    macros = _macros(seeded_app)
    result = search.search(search.SearchRequest(per_page=None))
    catalogue = search.catalogue()
    statuses = [card_rendering.status_badge(""), card_rendering.status_badge("Open now, until 17:00"),
                card_rendering.status_badge("Closed, opens Monday 09:00")]
    frames.frame.cache_clear()
    for n, hit in enumerate(result.hits):
        card = cards.of_listing(hit.listing, catalogue)
        for shape in SHAPES:
            per_page = dict(shape, service_href=f"/services/{card.id}?s=a&s=b",
                            add_href=f"/list?s={card.id}&back=/search?q=<tina>", status=statuses[n % 3])
            for heading_level, id_prefix in ((3, ""), (3, "stage2-")):
                expected = _rendered_whole(macros, card, heading_level, id_prefix, **per_page)
                # Twice: the first renders the card with stand-ins, the second only fills them in.
                for _ in range(2):
                    assert card_rendering.render(
                        macros, card, heading_level, id_prefix, **per_page) == expected
                assert card_rendering.render_whole(
                    macros, card, heading_level, id_prefix, **per_page) == expected
    # One frame per card and place it is shown in, whatever the per-page values; three for the parts.
    assert frames.frame.cache_info().currsize == 84 * 2 + 4


def test_a_card_whose_own_text_looks_like_a_stand_in_is_rendered_whole(app):
    macros = _macros(app)
    card = cards.Card(id="x", name="Clinic \x001\x00 <b>", organisation="Org & co", lgbtq_specific=True,
                      types=("Sexual health",), where="Lambeth", who_for="Everyone", routes=(), sessions=(),
                      verified_at=None, seeded=True)
    per_page = dict(service_href="/services/x", add_href="/list?s=x", snippet=Markup("<mark>x</mark>"),
                    distance="about 1 mile", why=None, status=card_rendering.status_badge(""))
    html = card_rendering.render(macros, card, **per_page)
    assert html == _rendered_whole(macros, card, **per_page)
    assert "Clinic \x001\x00 &lt;b&gt;" in html and "Org &amp; co" in html and "<mark>x</mark>" in html


# --- every cache, listed with its limit -----------------------------------------------------------------


def _modules(package):
    yield package
    for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(found.name)


def test_every_lru_cache_of_search_and_the_public_pages_is_listed():
    listed = {(c.owner, c.name) for c in card_rendering.CACHES}
    assert len(listed) == len(card_rendering.CACHES), "each is listed once"
    found = {(value.__module__, value.__qualname__)
             for package in (directory.search, directory.public) for module in _modules(package)
             for value in vars(module).values()
             if isinstance(value, functools._lru_cache_wrapper) and value.__module__ == module.__name__}
    assert found and found <= listed, found - listed


def test_every_per_segment_and_per_generation_cache_is_listed(seeded_app):
    client = seeded_app.test_client()
    client.get("/search?q=chemsex&borough=lambeth&open=1&postcode=SW9+8AA")
    listed = {(c.owner, c.name) for c in card_rendering.CACHES}
    index = seeded_app.extensions["search"].index
    with index.reading() as view:
        holders = [("View", view), *(("SegmentData", data) for _, _, data in view.leaves)]
        for kind, holder in holders:
            for attribute, value in vars(holder).items():
                if isinstance(value, OrderedDict):
                    assert ("directory.search.bitsets", f"{kind}.{attribute}") in listed, attribute


def test_each_cache_says_its_size_keeps_to_its_limit_and_clears(seeded_app):
    client = seeded_app.test_client()
    before = client.get("/search?q=chemsex&borough=lambeth").get_data()
    client.get("/search?q=tina&postcode=SW9+8AA")
    sizes = card_rendering.cache_sizes()
    assert sizes["directory.public.frames.frame"] > 0
    assert sizes["directory.search.engine._snippet"] > 0
    assert sizes["directory.search.bitsets.SegmentData._listings"] > 0
    segments = len(seeded_app.extensions["search"].index._segments)
    for entry in card_rendering.CACHES:
        if entry.limit is not None:
            copies = segments if entry.per == "index segment" else 1
            assert sizes[f"{entry.owner}.{entry.name}"] <= entry.limit * copies, entry.name
    card_rendering.clear_caches()
    cleared = card_rendering.cache_sizes()
    left = {name: size for name, size in cleared.items() if size and not name.endswith("Catalogue")}
    assert not left, left
    assert client.get("/search?q=chemsex&borough=lambeth").get_data() == before
