"""Every public page: no cookies, nothing inline or third-party, labelled controls, unique ids."""

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from directory.extensions import db
from directory.models import Pathway

from .conftest import page, seeded, text


def public_urls():
    service = seeded("56 Dean Street")
    other = seeded("Antidote: LGBTQ+ drug, alcohol and chemsex support")
    pathway = db.session.scalars(db.select(Pathway)).first()
    ids = f"s={service.id}&s={other.id}"
    return [
        "/",
        "/search",
        "/search?q=tina&borough=lambeth&referral_route=self-referral&open=1",
        "/search?q=counselling&service_type=counselling&audience=lgbtq&postcode=SW9+8BS&sort=distance",
        "/search?postcode=not+a+postcode",
        f"/services/{service.id}",
        "/pathways",
        f"/pathways/{pathway.slug}",
        f"/pathways/{pathway.slug}?borough=lambeth",
        "/about",
        "/privacy",
        "/list",
        f"/list?{ids}",
        f"/list/print?{ids}",
    ]


def test_home_has_the_search_box_pathways_lgbtq_entry_emergency_line_and_counts(seeded_client):
    doc = page(seeded_client.get("/"))
    form = doc.select_one("form[role=search]")
    assert form["method"] == "get" and form["action"] == "/search#results"
    assert {"q", "borough", "postcode"} <= {c["name"] for c in form.select("input, select")}
    assert len(form.select("#borough option")) == 34  # "Any" and the 33 London authorities
    quick = {a["href"].split("?")[0] for a in doc.select(".quick-entries a")}
    assert {f"/pathways/{p.slug}" for p in db.session.scalars(db.select(Pathway))} <= quick
    lgbtq = doc.find("a", string="LGBTQ+-specific support")
    assert "audience=lgbtq" in lgbtq["href"]
    line = text(doc.select_one(".emergency-line"))
    assert "999" in line and "111" in line
    assert doc.select_one(".emergency-line a[href='tel:999']")
    counts = text(doc.select_one(".counts"))
    assert "84 services" in counts and "London boroughs" in counts


def test_anonymous_pages_set_no_cookies_and_load_nothing_from_elsewhere(seeded_client):
    for url in public_urls():
        response = seeded_client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        doc = page(response)
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for node in doc.find_all(tag):
                if node.get(attribute):
                    assert not urlsplit(node[attribute]).netloc, f"{url} loads {node[attribute]}"
        assert not doc.find("iframe"), url


def test_pages_have_no_inline_scripts_styles_or_handlers(seeded_client):
    for url in public_urls():
        doc = page(seeded_client.get(url))
        assert all(s.get("src") for s in doc.find_all("script")), f"inline <script> on {url}"
        assert not doc.find("style"), f"<style> on {url}"
        for node in doc.find_all(True):
            assert "style" not in node.attrs, f"style= on {url}: {node.name}"
            assert not [a for a in node.attrs if a.startswith("on")], f"event handler on {url}: {node.name}"


def test_every_control_has_a_label_and_ids_are_unique(seeded_client):
    for url in public_urls():
        doc = page(seeded_client.get(url))
        ids = Counter(node["id"] for node in doc.find_all(id=True))
        assert not [i for i, n in ids.items() if n > 1], f"duplicate ids on {url}"
        for control in doc.select("input, select, textarea"):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id"), f"unlabelled control on {url}: {control}"
            assert doc.select_one(f"label[for='{control['id']}']"), f"no label for #{control['id']} on {url}"
        for group in doc.select("fieldset"):
            assert group.find("legend"), f"fieldset without legend on {url}"


def test_every_page_has_quick_exit_skip_link_and_one_h1(seeded_client):
    for url in public_urls():
        doc = page(seeded_client.get(url))
        exit_link = doc.select_one("a#quick-exit")
        assert exit_link and exit_link["href"].startswith("https://"), url
        assert "Shift three times" in text(exit_link)
        assert doc.select_one("a.skip-link[href='#main']") and doc.select_one("main#main")
        assert len(doc.find_all("h1")) == 1, url
        assert doc.html["lang"] == "en-GB"


def test_about_page_carries_the_attributions_and_confidence_levels(seeded_client):
    body = " ".join(page(seeded_client.get("/about")).get_text().split())
    for line in (
        "Contains Ordnance Survey data © Crown copyright and database right 2025.",
        "Contains Royal Mail data © Royal Mail copyright and database right 2025.",
        "Contains National Statistics data © Crown copyright and database right 2025.",
        "Licensed under the Open Government Licence v3.0.",
        "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)",
        "Human Services Data Specification UK: an Open Referral UK resource (https://openreferraluk.org/)",
    ):
        assert line in body
    for level in ("High", "Medium", "Low"):
        assert level in body


def test_privacy_page_says_what_is_and_is_not_stored(seeded_client):
    body = text(page(seeded_client.get("/privacy")))
    assert "No tracking and no analytics" in body
    assert "No third-party requests" in body
    assert "No cookies while you search" in body
    assert "never sent to or stored on our server" in body
    # The unmet-need counts, described by the insights note the privacy page includes.
    assert "no IP address, no cookie or session" in body
    assert "the day (not the time)" in body
    assert "the postcode itself is not kept" in body
    assert "at least 5 searches used the same words" in body
    assert "older than 365 days are deleted" in body


@pytest.mark.parametrize("url", ["/services/00000000-0000-0000-0000-000000000000", "/pathways/nope"])
def test_missing_things_are_a_plain_404(seeded_client, url):
    response = seeded_client.get(url)
    assert response.status_code == 404
    assert "home page" in response.get_data(as_text=True)


def test_links_built_once_still_follow_the_script_root_and_the_list(client, make):
    listed = make.service(name="Listed clinic")

    def links(path, **environ):
        html = client.get(path, environ_overrides=environ).get_data(as_text=True)
        return set(re.findall(r'href="([^"]+)"', html))

    plain = {"/", "/static/css/site.css", "/static/css/print.css", "/list", "/privacy", "/account/sign-in"}
    for _ in range(2):  # the second time from links already built
        assert plain <= links("/about")
    # Mounted under a path (a reverse proxy's prefix), every link carries it.
    mounted = links("/about", SCRIPT_NAME="/directory")
    assert {"/directory" + link for link in plain} <= mounted and not plain & mounted
    assert f"/list?s={listed.id}" in links(f"/about?s={listed.id}")
