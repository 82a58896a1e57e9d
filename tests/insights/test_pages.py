"""The insight pages: public coverage and pathways, admin-only unmet need and freshness."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from directory import unmet_need
from directory.extensions import db
from directory.models import Pathway, PathwayStage
from directory.models.base import utcnow

ADMIN_PAGES = ("/insights/unmet-need", "/insights/freshness")


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def assert_no_inline_style_or_script(page):
    assert page.select("[style]") == []
    assert page.find("style") is None
    assert all(script.get("src") for script in page.find_all("script"))
    assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)


def test_coverage_page_has_an_accessible_table_chart_and_search_links(client, catchment_cases):
    response = client.get("/insights/coverage")
    assert response.status_code == 200
    page = soup(response)
    table = page.select_one("table.coverage-table")
    assert table.caption.get_text(strip=True)
    assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    rows = {tr.th.get_text(strip=True): tr for tr in table.tbody.find_all("tr")}
    assert len(rows) == 33 and rows["Lambeth"].th["scope"] == "row"
    lambeth_cells = rows["Lambeth"].find_all("td")
    first = lambeth_cells[0].a  # sexual health: none in Lambeth
    assert "gap" in lambeth_cells[0]["class"] and "✕" in first.get_text() and "(gap)" in first.get_text()
    links = [a["href"] for a in rows["Lambeth"].select("td a")]
    assert "/search?borough=lambeth&service_type=drug-alcohol-treatment" in links
    drug = next(td for td in lambeth_cells if td.a and "service_type=drug-alcohol-treatment" in td.a["href"])
    assert drug.a.get_text(strip=True).endswith("1") and "gap" not in drug["class"]
    svg = page.select_one("svg#coverage-chart")
    assert svg["role"] == "img" and svg.title.get_text() and svg.desc.get_text()
    assert "293 of 429" in svg.desc.get_text()
    assert_no_inline_style_or_script(page)


def test_lgbtq_toggle_narrows_the_matrix_and_the_search_links(client, catchment_cases):
    page = soup(client.get("/insights/coverage?lgbtq=1"))
    assert page.select_one("input#lgbtq").has_attr("checked")
    assert "LGBTQ+" in page.h1.get_text()
    hrefs = [a["href"] for a in page.select("table.coverage-table td a")]
    assert all("audience=lgbtq&audience=gay-bi-msm&audience=trans-non-binary" in h for h in hrefs)
    assert "363 of 429" in page.select_one(".summary").get_text(" ", strip=True)
    csv_link = page.find("a", string=lambda s: s and "CSV" in s)
    assert "lgbtq=1" in csv_link["href"]


def test_coverage_csv_downloads_the_matrix(client, catchment_cases):
    response = client.get("/insights/coverage.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="coverage.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_name = {row["Borough"]: row for row in rows}
    assert len(rows) == 33
    assert by_name["Southwark"]["Sexual health clinic (GUM)"] == "1"
    assert by_name["Lambeth"]["Sexual health clinic (GUM)"] == "0"
    assert by_name["Hackney"]["Specialist chemsex support"] == "2"
    assert by_name["Lambeth"]["Emergency care (A&E)"] == "1"  # the open-access A&E in Westminster
    assert by_name["Lambeth"]["Gaps"] == "8"
    lgbtq_csv = client.get("/insights/coverage.csv?lgbtq=1").get_data(as_text=True)
    lgbtq = list(csv.DictReader(io.StringIO(lgbtq_csv)))
    assert {row["Gaps"] for row in lgbtq} == {"11"}  # only chemsex support and helplines everywhere


def test_pathway_page_names_the_missing_stages(client, catchment_cases):
    pathway = Pathway(slug="p", name="Chemsex test pathway")
    pathway.stages = [
        PathwayStage(position=0, name="Treatment", services=[catchment_cases["located"]]),
        PathwayStage(position=1, name="Support", services=[catchment_cases["london"]]),
    ]
    db.session.add(pathway)
    db.session.commit()
    page = soup(client.get("/insights/pathways"))
    table = page.select_one("table.pathway-table")
    assert table.caption and "Chemsex test pathway" in table.caption.get_text()
    rows = {tr.th.get_text(strip=True): tr for tr in table.tbody.find_all("tr")}
    assert rows["Lambeth"].select_one(".missing-stages").get_text(strip=True) == "None"
    assert rows["Hackney"].select_one(".missing-stages").get_text(strip=True) == "Treatment"
    assert rows["Hackney"].th.a["href"] == "/pathways/p?borough=hackney"
    assert "32 of 33" in page.select_one(".summary").get_text(" ", strip=True)
    assert_no_inline_style_or_script(page)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_refuse_anonymous_visitors(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert "/insights" not in response.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_refuse_agency_editors(client, make, login, path):
    login(make.user(organisations=[make.organisation()]))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ("/insights/", "/insights/coverage", "/insights/coverage.csv",
                                  "/insights/pathways"))
def test_public_pages_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200


def test_unmet_need_report_shows_counts_and_hides_rare_words(app, client, make, login, search_request):
    app.config["DIRECTORY_NOW"] = "2025-06-10T12:00:00"
    for _ in range(5):
        unmet_need.record(search_request(text="party and play", borough="hackney"), 0)
    for _ in range(4):
        unmet_need.record(search_request(text="john smith clinic", borough="bexley",
                                         referral_routes=["self-referral"]), 1)
    login(make.user(is_admin=True))
    response = client.get("/insights/unmet-need")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "party and play" in text
    assert "john smith" not in text
    page = soup(response)
    tables = page.select("table.count-table")
    boroughs = {tr.th.get_text(strip=True): [td.get_text() for td in tr.find_all("td")]
                for tr in tables[0].tbody.find_all("tr")}
    assert boroughs == {"hackney": ["5", "0", "5"], "bexley": ["0", "4", "4"]}
    assert "referral_route=self-referral" in tables[1].get_text()
    assert "1 other word" in page.select_one("p.hint").get_text()
    assert_no_inline_style_or_script(page)


def test_unmet_need_period_errors_show_beside_the_field(client, make, login):
    login(make.user(is_admin=True))
    response = client.get("/insights/unmet-need?start=2025-06-10&end=2025-01-01")
    assert response.status_code == 200
    page = soup(response)
    assert "on or after" in page.select_one("#end-error").get_text()
    assert client.get("/insights/unmet-need?start=not-a-date").status_code == 200


def test_freshness_page_shows_shares_and_stalest(app, client, make, login):
    org = make.organisation(name="Fresh Org")
    fresh = make.service(name="Fresh service", organisation=org, borough_slug="lambeth")
    make.service(name="Never verified", organisation=org, borough_slug="lambeth")
    stale_org = make.organisation(name="Stale Org")
    old = make.service(name="Old check", organisation=stale_org, borough_slug="hackney")
    fresh.verified_at = utcnow() - timedelta(days=10)
    old.verified_at = utcnow() - timedelta(days=400)
    db.session.commit()
    login(make.user(is_admin=True))
    page = soup(client.get("/insights/freshness"))
    assert "33%" in page.select_one(".freshness-summary .summary").get_text()
    names = [tr.th.get_text(strip=True) for tr in page.select(".stalest-table tbody tr")]
    assert names == ["Never verified", "Old check"]
    assert page.select_one("svg#freshness-chart title").get_text()
    assert_no_inline_style_or_script(page)


def test_insight_pages_take_no_posts(client):
    assert client.post("/insights/coverage").status_code == 405
