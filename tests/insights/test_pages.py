"""The insight pages: public coverage and pathways, admin-only unmet need and freshness."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from directory import coverage, unmet_need
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


def cell_figures(td):
    """Return a coverage or pathway cell's (local, reachable) as shown: "✕ 0 +1" -> ("0", "1")."""
    return td.select_one(".local").get_text(strip=True).lstrip("✕ "), td.select_one(
        ".reachable").get_text(" ", strip=True).split()[0].lstrip("+")


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
    first = lambeth_cells[0].a  # sexual health: none in Lambeth, none reachable
    assert "gap" in lambeth_cells[0]["class"] and "✕" in first.get_text() and "(gap)" in first.get_text()
    assert cell_figures(lambeth_cells[0]) == ("0", "0")
    links = [a["href"] for a in rows["Lambeth"].select("td a")]
    assert "/search?borough=lambeth&service_type=drug-alcohol-treatment" in links
    by_type = {td.a["href"].rpartition("service_type=")[2]: td for td in lambeth_cells if td.a}
    drug, emergency = by_type["drug-alcohol-treatment"], by_type["emergency-care"]
    assert cell_figures(drug) == ("1", "0") and "gap" not in drug["class"]
    # The Westminster A&E is reachable from Lambeth, not Lambeth's own: a gap, with +1 beside it.
    assert cell_figures(emergency) == ("0", "1") and "gap" in emergency["class"]
    words = emergency.a.get_text(" ", strip=True)
    assert "0 local (gap)" in words and "+1 reachable elsewhere" in words
    svg = page.select_one("svg#coverage-chart")
    assert svg["role"] == "img" and svg.title.get_text() and svg.desc.get_text()
    assert "421 of 429" in svg.desc.get_text() and "293 have nothing" in svg.desc.get_text()
    # Shaded by local services, each square also says how many are reachable: +1 helpline everywhere.
    context = [t.get_text() for t in svg.select("text.cell-context")]
    # +1: helpline and counselling in 33; chemsex and A&E in 32 (not Tower Hamlets, Westminster: local there).
    assert len(context) == 429 and context.count("+1") == 33 + 33 + 32 + 32
    assert len(svg.select("rect.cell.level-0")) == 421
    summary = page.select_one(".summary").get_text(" ", strip=True)
    assert "421 of 429" in summary and "no listed local service" in summary and "293" in summary
    bars = page.select_one("svg#gaps-chart").get_text(" ", strip=True)
    assert "3 local, 30 reachable only" in bars  # chemsex support: Hackney, the City, Tower Hamlets
    assert_no_inline_style_or_script(page)


def test_coverage_page_lists_boroughs_with_no_local_drug_service_or_clinic(client, catchment_cases):
    page = soup(client.get("/insights/coverage"))
    drug = page.select_one("section[aria-labelledby=no-local-drug-alcohol-treatment]")
    clinic = page.select_one("section[aria-labelledby=no-local-sexual-health]")
    assert drug.h2.get_text(strip=True) == "Boroughs with no listed local drug and alcohol service"
    assert clinic.h2.get_text(strip=True) == "Boroughs with no listed local sexual health clinic"
    drug_links = {a.get_text(strip=True): a["href"] for a in drug.select(".borough-list a")}
    assert len(drug_links) == 31 and "Lambeth" not in drug_links and "Southwark" not in drug_links
    assert drug_links["Hackney"] == "/search?borough=hackney&service_type=drug-alcohol-treatment"
    clinic_links = {a.get_text(strip=True): a["href"] for a in clinic.select(".borough-list a")}
    assert len(clinic_links) == 32 and "Southwark" not in clinic_links
    assert clinic_links["Lambeth"] == "/search?borough=lambeth&service_type=sexual-health"
    assert "31 of 33" in drug.get_text(" ", strip=True)
    neither = page.select_one(".neither-essential").get_text(" ", strip=True)
    assert neither.startswith(
        "With neither a listed local drug and alcohol service nor a listed local sexual health clinic:")
    assert "Hackney" in neither and "Lambeth" not in neither and "Southwark" not in neither


def test_seeded_coverage_page_names_the_boroughs_without_a_local_drug_service(seeded_app, seeded_client):
    page = soup(seeded_client.get("/insights/coverage"))
    drug = page.select_one("section[aria-labelledby=no-local-drug-alcohol-treatment]")
    named = {a.get_text(strip=True) for a in drug.select(".borough-list a")}
    # Checked by hand in the seed: these have no drug and alcohol service of their own (Barnet's
    # residents reach London-wide ones only); the others below each have theirs.
    assert {"Barnet", "Bexley", "Richmond upon Thames"} <= named
    assert not {"Lambeth", "Hackney", "City of London", "Camden", "Westminster", "Croydon"} & named
    barnet = next(li for li in drug.select(".borough-list li") if li.a.get_text(strip=True) == "Barnet")
    assert "reachable elsewhere" in barnet.get_text()
    assert page.select_one("section[aria-labelledby=no-local-sexual-health] h2")
    # Places with no borough in the seed are named, so a reader knows why they count as local nowhere.
    with seeded_app.app_context():
        unplaced = [s.name for s in coverage.listed_services() if s.catchment != "boroughs" and any(
            loc.location_type == "physical" and not loc.borough_code for loc in s.locations)]
    assert unplaced  # the seed has hospital clinics with no postcode or borough
    note = page.select_one(".unplaced").get_text(" ", strip=True)
    assert "borough is not recorded" in note and all(name in note for name in unplaced)


def test_lgbtq_toggle_narrows_the_matrix_and_the_search_links(client, catchment_cases):
    page = soup(client.get("/insights/coverage?lgbtq=1"))
    assert page.select_one("input#lgbtq").has_attr("checked")
    assert "LGBTQ+" in page.h1.get_text()
    hrefs = [a["href"] for a in page.select("table.coverage-table td a")]
    assert all("audience=lgbtq&audience=gay-bi-msm&audience=trans-non-binary" in h for h in hrefs)
    summary = page.select_one(".summary").get_text(" ", strip=True)
    assert "428 of 429" in summary and "363" in summary
    drug = page.select_one("section[aria-labelledby=no-local-drug-alcohol-treatment]")
    assert "LGBTQ+-specific drug and alcohol service" in drug.h2.get_text()
    assert len(drug.select(".borough-list a")) == 33
    assert all("audience=lgbtq" in a["href"] for a in drug.select(".borough-list a"))
    csv_link = page.find("a", string=lambda s: s and "CSV" in s)
    assert "lgbtq=1" in csv_link["href"]


def test_coverage_csv_downloads_local_and_reachable_figures(client, catchment_cases):
    response = client.get("/insights/coverage.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="coverage.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_name = {row["Borough"]: row for row in rows}
    assert len(rows) == 33
    assert by_name["Southwark"]["Sexual health clinic (GUM): local"] == "1"
    assert by_name["Lambeth"]["Sexual health clinic (GUM): local"] == "0"
    assert by_name["Hackney"]["Specialist chemsex support: local"] == "1"
    assert by_name["Hackney"]["Specialist chemsex support: reachable"] == "1"
    assert by_name["Lambeth"]["Emergency care (A&E): local"] == "0"
    assert by_name["Lambeth"]["Emergency care (A&E): reachable"] == "1"  # the open-access A&E in Westminster
    assert by_name["Lambeth"]["Types with no local or reachable service"] == "8"
    lgbtq_csv = client.get("/insights/coverage.csv?lgbtq=1").get_data(as_text=True)
    lgbtq = list(csv.DictReader(io.StringIO(lgbtq_csv)))
    # Only chemsex support (London-wide) and helplines (national) are reachable anywhere.
    assert {row["Types with no local or reachable service"] for row in lgbtq} == {"11"}
    no_local = {row["Types with no local service"] for row in lgbtq if row["Borough"] != "Tower Hamlets"}
    assert no_local == {"13"}  # the London-wide chemsex clinic is Tower Hamlets' own


def test_pathway_page_names_the_stages_missing_locally_and_altogether(client, catchment_cases):
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

    def missing(borough, kind):
        """The stage numbers shown (as in the headings), or "None"."""
        cell = rows[borough].select_one(f".missing-{kind}")
        return [n.get_text() for n in cell.select(".stage-ref")] or cell.get_text(strip=True)

    # Lambeth: its own treatment; the London-wide support (in Tower Hamlets) reachable only.
    assert (missing("Lambeth", "locally"), missing("Lambeth", "everywhere")) == (["2"], "None")
    stages = rows["Lambeth"].select("td.gap, td.covered")
    assert [cell_figures(td) for td in stages] == [("1", "0"), ("0", "1")]
    assert (missing("Hackney", "locally"), missing("Hackney", "everywhere")) == (["1", "2"], ["1"])
    assert missing("Tower Hamlets", "locally") == ["1"]
    # Screen readers hear the stage names beside the numbers.
    assert "(Treatment)" in rows["Hackney"].select_one(".missing-everywhere .visually-hidden").get_text()
    assert rows["Hackney"].th.a["href"] == "/pathways/p?borough=hackney"
    summary = page.select_one(".summary").get_text(" ", strip=True)
    assert "33 of 33" in summary and "no listed local service" in summary and "32 have a stage" in summary
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
