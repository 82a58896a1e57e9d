"""The coverage matrix and pathway completeness, local and reachable, against hand-counted fixtures."""

import csv
import io

import pytest
from sqlalchemy import event

from directory import catchment, coverage, locality
from directory.extensions import db
from directory.models import Catchment, Location, Pathway, PathwayStage, ServiceAtLocation
from tests.insights.conftest import CITY, HACKNEY, LAMBETH, SOUTHWARK, WESTMINSTER

TOWER_HAMLETS, CAMDEN, ISLINGTON, BARNET = "E09000030", "E09000007", "E09000019", "E09000003"


def figures(matrix, code, type_code):
    """Return (local, reachable) for one borough and service type."""
    borough = next(b for b in matrix.boroughs if b.ons_code == code)
    service_type = next(t for t in matrix.service_types if t.code == type_code)
    return matrix.local(borough, service_type), matrix.reachable(borough, service_type)


def all_codes():
    return {b.ons_code for b in coverage.boroughs()}


# ------------------------------------------------------------------ the rule, service by service


def test_each_catchment_case_is_local_reachable_or_neither(app, catchment_cases):
    c, codes = catchment_cases, all_codes()
    everywhere_but = lambda *local: frozenset(codes - set(local))  # noqa: E731
    cases = {
        # Kept for Lambeth's residents and in Lambeth.
        "located": ({LAMBETH}, set()),
        # In Lambeth but kept for Southwark's residents: local to Southwark, nothing to Lambeth.
        "restricted": ({SOUTHWARK}, set()),
        # Commissioned for Hackney and the City, one address in Hackney: local to both.
        "named": ({HACKNEY, CITY}, set()),
        # London-wide, in Tower Hamlets: local there, reachable from the other 32.
        "london": ({TOWER_HAMLETS}, everywhere_but(TOWER_HAMLETS)),
        # National helpline and remote counselling: reachable from everywhere, local nowhere.
        "national": (set(), codes),
        "remote": (set(), codes),
        # Open access in Westminster: local to Westminster, reachable from the other 32.
        "open_access": ({WESTMINSTER}, everywhere_but(WESTMINSTER)),
    }
    for key, (local, reachable) in cases.items():
        split = locality.reach(c[key], codes)
        assert (split.local, split.reachable) == (frozenset(local), frozenset(reachable)), key


def test_the_split_agrees_with_the_reasons_search_gives(app, catchment_cases):
    """Local is exactly "in the borough" or "for its residents"; reachable is every other reason."""
    codes = all_codes()
    for service in catchment_cases.values():
        split = locality.reach(service, codes)
        for code in codes:
            why = catchment.usable_by(service, code)
            expected = None if why is None else (
                "local" if why.reason in (catchment.LOCATED, catchment.NAMED) else "reachable")
            got = "local" if code in split.local else "reachable" if code in split.reachable else None
            assert got == expected, (service.name, code, why)


def test_a_service_for_two_boroughs_residents_is_local_to_both_and_reachable_from_none(app, make):
    shared = make.service(name="Camden and Islington drug service", borough_slug="camden",
                          catchment=Catchment.BOROUGHS, catchment_boroughs=("camden", "islington"))
    split = locality.reach(shared, all_codes())
    assert split.local == {CAMDEN, ISLINGTON} and split.reachable == set()


def test_a_clinic_with_a_place_and_a_phone_line_is_local_where_it_stands(app, make):
    clinic = make.service(name="Camden clinic with a phone line", borough_slug="camden",
                          types=("sexual-health",), delivery=("in-person", "phone"))
    clinic.service_at_locations.append(ServiceAtLocation(location=Location(location_type="virtual")))
    db.session.commit()
    split = locality.reach(clinic, all_codes())
    assert split.local == {CAMDEN} and len(split.reachable) == 32


def test_a_london_wide_service_with_no_listed_place_is_local_nowhere(app, make):
    service = make.service(name="London outreach", catchment=Catchment.LONDON, types=("sexual-health",))
    split = locality.reach(service, all_codes())
    assert split.local == set() and len(split.reachable) == 33


# ------------------------------------------------------------------ the matrix


def test_each_cell_counts_local_and_reachable_services_separately(app, catchment_cases):
    matrix = coverage.coverage_matrix()
    assert len(matrix.boroughs) == 33
    # Drug and alcohol: Lambeth's own; the one in Lambeth for Southwark residents is Southwark's and
    # nothing to Lambeth; unpublished and temporarily closed services count nowhere.
    assert figures(matrix, LAMBETH, "drug-alcohol-treatment") == (1, 0)
    assert figures(matrix, SOUTHWARK, "drug-alcohol-treatment") == (1, 0)
    assert figures(matrix, HACKNEY, "drug-alcohol-treatment") == (0, 0)
    # Chemsex: Hackney and the City have their own, plus the London-wide clinic as reachable; the
    # clinic is Tower Hamlets' own; elsewhere only the London-wide one, reachable.
    assert figures(matrix, HACKNEY, "chemsex-support") == figures(matrix, CITY, "chemsex-support") == (1, 1)
    assert figures(matrix, TOWER_HAMLETS, "chemsex-support") == (1, 0)
    assert figures(matrix, LAMBETH, "chemsex-support") == (0, 1)
    # National helpline and remote counselling: reachable from every borough, nobody's own.
    for b in matrix.boroughs:
        assert figures(matrix, b.ons_code, "helpline") == figures(matrix, b.ons_code, "counselling") == (0, 1)
    # A service of two types counts once in each.
    assert figures(matrix, SOUTHWARK, "sexual-health") == figures(matrix, SOUTHWARK, "hiv-hepatitis-testing")
    assert figures(matrix, SOUTHWARK, "sexual-health") == (1, 0)
    assert figures(matrix, LAMBETH, "sexual-health") == (0, 0)
    # The open-access A&E: Westminster's own; anyone else may walk in.
    assert figures(matrix, WESTMINSTER, "emergency-care") == (1, 0)
    assert figures(matrix, LAMBETH, "emergency-care") == (0, 1)
    # 13 types x 33 boroughs. Local in 8 cells: drug x2, chemsex x3, sexual health, HIV testing, A&E.
    # Anything at all in 136: drug 2 + chemsex 33 + helpline 33 + counselling 33 + 1 + 1 + emergency 33.
    assert matrix.cells == 429
    assert matrix.local_gaps == 429 - 8
    assert matrix.gaps == 429 - 136


def test_boroughs_by_type_split_local_from_reachable_only(app, catchment_cases):
    by_type = {t.code: (local, only) for t, local, only in coverage.coverage_matrix().by_type()}
    assert by_type["drug-alcohol-treatment"] == (2, 0)
    assert by_type["chemsex-support"] == (3, 30)
    assert by_type["emergency-care"] == (1, 32)
    assert by_type["helpline"] == (0, 33)
    assert by_type["trans-health"] == (0, 0)


def test_boroughs_without_a_local_drug_service_or_clinic_are_listed(app, catchment_cases):
    matrix = coverage.coverage_matrix()
    gaps = {gap.service_type.code: gap for gap in matrix.essential_gaps()}
    assert list(gaps) == ["drug-alcohol-treatment", "sexual-health"]
    assert gaps["drug-alcohol-treatment"].label == "drug and alcohol service"
    drug = {b.ons_code for b in gaps["drug-alcohol-treatment"].boroughs}
    clinic = {b.ons_code for b in gaps["sexual-health"].boroughs}
    assert len(drug) == 31 and LAMBETH not in drug and SOUTHWARK not in drug and HACKNEY in drug
    assert clinic == all_codes() - {SOUTHWARK}


def test_boroughs_with_neither_a_local_drug_service_nor_a_clinic(app, make):
    make.service(borough_slug="camden", types=("drug-alcohol-treatment",))
    make.service(borough_slug="islington", types=("sexual-health",))
    make.service(borough_slug="hackney", types=("drug-alcohol-treatment", "sexual-health"))
    neither = {b.ons_code for b in coverage.coverage_matrix().without_any_essential()}
    assert neither == all_codes() - {CAMDEN, ISLINGTON, HACKNEY}


def test_a_service_whose_place_has_no_borough_is_local_nowhere_and_named(app, make):
    clinic = make.service(name="Clinic somewhere in London", types=("sexual-health",))
    clinic.service_at_locations = [ServiceAtLocation(location=Location(location_type="physical"))]
    make.service(name="Kept for Barnet, place unknown", catchment=Catchment.BOROUGHS,
                 catchment_boroughs=("barnet",), commit=False).service_at_locations = [
        ServiceAtLocation(location=Location(location_type="physical"))]
    db.session.commit()
    matrix = coverage.coverage_matrix()
    # Open to anyone, so reachable from every borough, but it is no borough's own.
    assert {figures(matrix, b.ons_code, "sexual-health") for b in matrix.boroughs} == {(0, 1)}
    # A service for named boroughs' residents is local to them wherever it is: not "unplaced".
    assert [s.name for s in matrix.unplaced] == ["Clinic somewhere in London"]
    assert figures(matrix, BARNET, "drug-alcohol-treatment") == (1, 0)


def test_lgbtq_toggle_keeps_only_lgbtq_specific_services(app, catchment_cases):
    matrix = coverage.coverage_matrix(lgbtq_only=True)
    # The gay/bi/MSM London clinic (Tower Hamlets' own), not the Hackney service that is for everyone.
    assert figures(matrix, HACKNEY, "chemsex-support") == (0, 1)
    assert figures(matrix, TOWER_HAMLETS, "chemsex-support") == (1, 0)
    assert figures(matrix, HACKNEY, "helpline") == (0, 1)  # the LGBT+ national helpline
    assert figures(matrix, HACKNEY, "counselling") == (0, 0)
    assert figures(matrix, LAMBETH, "drug-alcohol-treatment") == (0, 0)
    assert matrix.local_gaps == 429 - 1
    assert matrix.gaps == 429 - 66


def test_trans_and_non_binary_services_count_as_lgbtq_specific(app, make):
    make.service(borough_slug="camden", types=("trans-health",), audiences=("trans-non-binary",))
    make.service(borough_slug="camden", types=("trans-health",), audiences=("women",))
    assert figures(coverage.coverage_matrix(lgbtq_only=True), CAMDEN, "trans-health") == (1, 0)


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
    assert matrix.local_gaps == matrix.gaps == 429 - 10
    # Services, their relations (a few selectin loads), boroughs, types: not 429 cells' worth.
    assert len(statements) <= 12, statements


# ------------------------------------------------------------------ CSV


def test_csv_has_a_local_and_a_reachable_column_per_service_type(app, catchment_cases):
    rows = list(csv.reader(io.StringIO(coverage.matrix_csv(coverage.coverage_matrix()))))
    header = rows[0]
    assert header[:2] == ["Borough", "ONS code"]
    assert header[2:6] == [
        "Sexual health clinic (GUM): local", "Sexual health clinic (GUM): reachable",
        "Specialist chemsex support: local", "Specialist chemsex support: reachable",
    ]
    assert header[-2:] == ["Types with no local service", "Types with no local or reachable service"]
    assert len(header) == 2 + 13 * 2 + 2
    assert len(rows) == 1 + 33
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    lambeth, hackney = by_code[LAMBETH], by_code[HACKNEY]
    assert lambeth["Borough"] == "Lambeth"
    def pair(row, name):
        return row[f"{name}: local"], row[f"{name}: reachable"]

    assert pair(lambeth, "Drug and alcohol treatment") == ("1", "0")
    assert pair(lambeth, "Emergency care (A&E)") == ("0", "1")
    assert pair(hackney, "Specialist chemsex support") == ("1", "1")
    # Lambeth: local drug only (12 without); drug, chemsex, helpline, counselling, A&E at all (8 without).
    assert lambeth["Types with no local service"] == "12"
    assert lambeth["Types with no local or reachable service"] == "8"


# ------------------------------------------------------------------ pathways


def pathway_with(*stages):
    pathway = Pathway(slug="test-pathway", name="Test pathway")
    for position, (name, services) in enumerate(stages):
        stage = PathwayStage(position=position, name=name)
        stage.services = list(services)
        pathway.stages.append(stage)
    db.session.add(pathway)
    db.session.commit()
    return pathway


def test_pathway_completeness_counts_stages_local_and_reachable(app, catchment_cases):
    c = catchment_cases
    pathway_with(
        ("Treatment", [c["located"], c["restricted"], c["unpublished"]]),
        ("Support", [c["london"], c["named"]]),
        ("Testing", [c["two_types"], c["closed"]]),
        ("Emergency care", [c["open_access"]]),
    )
    [gaps] = coverage.pathway_completeness()
    by_code = {b.ons_code: b for b in gaps.boroughs}
    missing = {code: [s.name for s in gaps.missing(b)] for code, b in by_code.items()}
    locally = {code: [s.name for s in gaps.missing_locally(b)] for code, b in by_code.items()}
    treatment, support, testing, emergency = gaps.stages
    # Lambeth: its own treatment; London-wide support and the Westminster A&E reachable; no testing.
    assert (gaps.local(by_code[LAMBETH], treatment), gaps.reachable(by_code[LAMBETH], treatment)) == (1, 0)
    assert (gaps.local(by_code[LAMBETH], support), gaps.reachable(by_code[LAMBETH], support)) == (0, 1)
    assert missing[LAMBETH] == ["Testing"]
    assert locally[LAMBETH] == ["Support", "Testing", "Emergency care"]
    # Southwark has the treatment kept for its residents and its own clinic.
    assert missing[SOUTHWARK] == [] and locally[SOUTHWARK] == ["Support", "Emergency care"]
    # Hackney: its own support (and the London-wide one reachable), nothing for treatment or testing.
    assert (gaps.local(by_code[HACKNEY], support), gaps.reachable(by_code[HACKNEY], support)) == (1, 1)
    assert missing[HACKNEY] == ["Treatment", "Testing"]
    assert locally[HACKNEY] == ["Treatment", "Testing", "Emergency care"]
    assert locally[WESTMINSTER] == ["Treatment", "Support", "Testing"]
    assert len(gaps.incomplete_boroughs) == 32
    assert len(gaps.locally_incomplete_boroughs) == 33
    assert all(gaps.count(b, emergency) == 1 for b in gaps.boroughs)
    assert gaps.count(by_code[BARNET], testing) == 0


# ------------------------------------------------------------------ the seeded London services


@pytest.fixture
def seeded_drug_services_by_borough(seeded_app):
    """From the seeded data, the boroughs each local drug and alcohol service belongs to (worked out here)."""
    codes = all_codes()
    local = set()
    for service in coverage.listed_services():
        if "drug-alcohol-treatment" not in service.term_codes("service-type"):
            continue
        if service.catchment == Catchment.BOROUGHS:
            local |= {b.ons_code for b in service.catchment_boroughs}
        else:
            local |= catchment.located_in(service) & codes
    return local


def test_seeded_boroughs_without_a_local_drug_service(seeded_app, seeded_drug_services_by_borough):
    gaps = {gap.service_type.code: gap for gap in coverage.coverage_matrix().essential_gaps()}
    named = {b.ons_code for b in gaps["drug-alcohol-treatment"].boroughs}
    assert named == all_codes() - seeded_drug_services_by_borough
    # Checked by hand in data/seed/listings.json: Barnet, Bexley and Richmond have no drug and alcohol
    # service of their own; Lambeth and Hackney do.
    names = {b.name for b in gaps["drug-alcohol-treatment"].boroughs}
    assert {"Barnet", "Bexley", "Richmond upon Thames"} <= names
    assert not {"Lambeth", "Hackney", "Camden"} & names
