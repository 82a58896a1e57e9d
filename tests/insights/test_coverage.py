"""The coverage matrix and pathway completeness, against hand-counted fixtures."""

import csv
import io

from sqlalchemy import event

from directory import coverage
from directory.extensions import db
from directory.models import Catchment, Pathway, PathwayStage
from tests.insights.conftest import CITY, HACKNEY, LAMBETH, SOUTHWARK, WESTMINSTER


def counts_for(matrix, code):
    borough = next(b for b in matrix.boroughs if b.ons_code == code)
    return dict(zip([t.code for t in matrix.service_types], matrix.row(borough), strict=True))


def test_each_cell_counts_the_services_a_resident_can_use(app, catchment_cases):
    matrix = coverage.coverage_matrix()
    assert len(matrix.boroughs) == 33
    lambeth, southwark, hackney, city, westminster = (
        counts_for(matrix, c) for c in (LAMBETH, SOUTHWARK, HACKNEY, CITY, WESTMINSTER)
    )
    # Kept for Lambeth residents counts for Lambeth; the one in Lambeth kept for Southwark residents counts
    # for Southwark only; unpublished and temporarily closed services (open access) count nowhere.
    assert lambeth["drug-alcohol-treatment"] == 1
    assert southwark["drug-alcohol-treatment"] == 1
    assert hackney["drug-alcohol-treatment"] == 0
    # Named for Hackney and the City (+ the London-wide clinic everywhere).
    assert hackney["chemsex-support"] == city["chemsex-support"] == 2
    assert lambeth["chemsex-support"] == westminster["chemsex-support"] == 1
    # National helpline and remote counselling: every borough.
    assert all(counts_for(matrix, b.ons_code)["helpline"] == 1 for b in matrix.boroughs)
    assert all(counts_for(matrix, b.ons_code)["counselling"] == 1 for b in matrix.boroughs)
    # A service of two types counts once in each.
    assert southwark["sexual-health"] == southwark["hiv-hepatitis-testing"] == 1
    assert lambeth["sexual-health"] == 0
    # The open-access A&E in Westminster: a resident of any borough may walk in.
    assert lambeth["emergency-care"] == westminster["emergency-care"] == 1
    assert all(counts_for(matrix, b.ons_code)["emergency-care"] == 1 for b in matrix.boroughs)
    # 13 types x 33 boroughs; non-zero: 2 drug + 33 chemsex + 33 helpline + 33 counselling + 1 + 1
    # + 33 emergency care.
    assert matrix.cells == 429
    assert matrix.gaps == 429 - 136


def test_lgbtq_toggle_keeps_only_lgbtq_specific_services(app, catchment_cases):
    matrix = coverage.coverage_matrix(lgbtq_only=True)
    hackney = counts_for(matrix, HACKNEY)
    # The gay/bi/MSM London clinic, not the borough service that is for everyone.
    assert hackney["chemsex-support"] == 1
    assert hackney["helpline"] == 1  # the LGBT+ national helpline
    assert hackney["counselling"] == 0
    assert counts_for(matrix, LAMBETH)["drug-alcohol-treatment"] == 0
    assert matrix.gaps == 429 - 66


def test_trans_and_non_binary_services_count_as_lgbtq_specific(app, make):
    make.service(borough_slug="camden", types=("trans-health",), audiences=("trans-non-binary",))
    make.service(borough_slug="camden", types=("trans-health",), audiences=("women",))
    matrix = coverage.coverage_matrix(lgbtq_only=True)
    assert counts_for(matrix, "E09000007")["trans-health"] == 1


def test_the_matrix_is_computed_without_a_query_per_cell(app, make):
    for slug in ("lambeth", "hackney", "camden", "barnet", "ealing"):
        make.service(borough_slug=slug, catchment=Catchment.BOROUGHS, catchment_boroughs=(slug,),
                     types=("drug-alcohol-treatment", "counselling"))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expunge_all()
        matrix = coverage.coverage_matrix()
        coverage.matrix_csv(matrix)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert matrix.gaps == 429 - 10
    # Services, their relations (a few selectin loads), boroughs, types: not 429 cells' worth.
    assert len(statements) <= 12, statements


def test_csv_has_a_row_per_borough_and_a_column_per_service_type(app, catchment_cases):
    rows = list(csv.reader(io.StringIO(coverage.matrix_csv(coverage.coverage_matrix()))))
    header = rows[0]
    assert header[:2] == ["Borough", "ONS code"]
    assert header[-1] == "Gaps"
    assert header[2:5] == [
        "Sexual health clinic (GUM)", "Specialist chemsex support", "Drug and alcohol treatment"
    ]
    assert len(header) == 2 + 13 + 1
    assert len(rows) == 1 + 33
    by_code = {row[1]: row for row in rows[1:]}
    lambeth = dict(zip(header, by_code[LAMBETH], strict=True))
    drug_column = "Drug and alcohol treatment"
    assert lambeth["Borough"] == "Lambeth"
    assert lambeth[drug_column] == "1"
    # Lambeth: drug 1, chemsex 1, helpline 1, counselling 1, emergency care 1 -> 13 - 5 gaps.
    assert lambeth["Emergency care (A&E)"] == "1"
    assert lambeth["Gaps"] == "8"
    assert dict(zip(header, by_code[HACKNEY], strict=True))[drug_column] == "0"


def pathway_with(*stages):
    pathway = Pathway(slug="test-pathway", name="Test pathway")
    for position, (name, services) in enumerate(stages):
        stage = PathwayStage(position=position, name=name)
        stage.services = list(services)
        pathway.stages.append(stage)
    db.session.add(pathway)
    db.session.commit()
    return pathway


def test_pathway_completeness_lists_the_stages_a_resident_cannot_reach(app, catchment_cases):
    c = catchment_cases
    pathway_with(
        ("Treatment", [c["located"], c["restricted"], c["unpublished"]]),
        ("Support", [c["london"]]),
        ("Testing", [c["two_types"], c["closed"]]),
        ("Emergency care", [c["open_access"]]),
    )
    [gaps] = coverage.pathway_completeness()
    by_code = {b.ons_code: b for b in gaps.boroughs}
    missing = {code: [s.name for s in gaps.missing(by_code[code])] for code in by_code}
    # The Southwark clinic is for Southwark residents; the closed one is closed. The open-access A&E in
    # Westminster fills its stage for every borough.
    assert missing[LAMBETH] == ["Testing"]
    assert missing[SOUTHWARK] == []  # the service kept for Southwark residents, and the clinic there
    assert missing[HACKNEY] == ["Treatment", "Testing"]
    assert len(gaps.incomplete_boroughs) == 32
    assert gaps.count(by_code[LAMBETH], gaps.stages[0]) == 1  # unpublished does not count
    assert all(gaps.count(b, gaps.stages[3]) == 1 for b in gaps.boroughs)
