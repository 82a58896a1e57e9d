from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Borough, Taxonomy, TaxonomyTerm
from directory.reference import borough_by_slug_or_code, load_reference_data


def test_thirty_three_boroughs_with_unique_ons_codes(app):
    boroughs = db.session.scalars(select(Borough)).all()
    assert len(boroughs) == 33
    codes = [b.ons_code for b in boroughs]
    assert len(set(codes)) == 33
    assert all(code.startswith("E09") for code in codes)
    assert {b.inner_outer for b in boroughs} == {"Inner", "Outer"}
    assert borough_by_slug_or_code("lambeth").ons_code == "E09000022"
    assert borough_by_slug_or_code("e09000022").name == "Lambeth"
    assert borough_by_slug_or_code("City of London".lower().replace(" ", "-")).ons_code == "E09000001"


def test_taxonomies_cover_the_domain_vocabularies(app):
    codes = set(db.session.scalars(select(Taxonomy.code)))
    assert codes == {"service-type", "audience", "referral-route", "delivery"}
    types = set(
        db.session.scalars(
            select(TaxonomyTerm.code).join(Taxonomy).where(Taxonomy.code == "service-type")
        )
    )
    assert {"sexual-health", "chemsex-support", "drug-alcohol-treatment", "harm-reduction",
            "trans-health", "emergency-care"} <= types


def test_loading_reference_data_twice_changes_nothing(app):
    before = (db.session.scalar(select(func.count(Borough.ons_code))),
              db.session.scalar(select(func.count(TaxonomyTerm.id))))
    load_reference_data()
    db.session.commit()
    after = (db.session.scalar(select(func.count(Borough.ons_code))),
             db.session.scalar(select(func.count(TaxonomyTerm.id))))
    assert before == after


def test_taxonomy_ids_are_the_same_on_every_installation(app):
    from directory.reference import taxonomy_term_id, term

    lgbtq = term("audience", "lgbtq")
    assert lgbtq.id == taxonomy_term_id("audience", "lgbtq")
    # A fixed value: changing the derivation would change every published id.
    assert lgbtq.id == "87b74592-bdcf-59af-8436-1573a63e52d1"
