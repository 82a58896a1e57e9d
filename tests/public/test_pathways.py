"""Care pathway pages: stages in order, the services at each, filtered to what a resident can use."""

from sqlalchemy import select

from directory.extensions import db
from directory.models import Pathway

from .conftest import page, text


def chemsex_pathway():
    return db.session.scalar(select(Pathway).where(Pathway.slug == "chemsex-support"))


def stage_services(doc) -> dict[str, list[str]]:
    out = {}
    for stage in doc.select("li.stage"):
        name = text(stage.h2).split(": ", 1)[1]
        out[name] = [text(h) for h in stage.select(".card-title")]
    return out


def test_the_index_lists_every_pathway(seeded_client):
    doc = page(seeded_client.get("/pathways"))
    listed = [text(h) for h in doc.select(".pathway-list h2")]
    assert listed == [p.name for p in db.session.scalars(select(Pathway).order_by(Pathway.position))]
    assert len(listed) == 5


def test_stages_appear_in_order_with_their_services(seeded_client, seeded_pinned):
    pathway = chemsex_pathway()
    doc = page(seeded_client.get("/pathways/chemsex-support"))
    shown = stage_services(doc)
    assert list(shown) == [s.name for s in pathway.stages]
    assert [text(s.h2).split(":")[0] for s in doc.select("li.stage")] == [f"Stage {n}" for n in range(1, 6)]
    for stage in pathway.stages:
        assert sorted(shown[stage.name]) == sorted(s.name for s in stage.services if s.is_visible)


def test_a_borough_filter_keeps_only_what_its_residents_can_use_and_says_why(seeded_client, seeded_pinned):
    everything = stage_services(page(seeded_client.get("/pathways/chemsex-support")))
    doc = page(seeded_client.get("/pathways/chemsex-support?borough=lambeth"))
    for_lambeth = stage_services(doc)
    specialist = "Specialist chemsex or drug service"
    # The Club Drug Clinic is for Hammersmith & Fulham, Kensington & Chelsea and Westminster residents only.
    assert "Club Drug Clinic" in everything[specialist]
    assert "Club Drug Clinic" not in for_lambeth[specialist]
    # City and Hackney's service is for City and Hackney residents.
    hackney = next(n for n in everything[specialist] if n.startswith("City and Hackney Recovery"))
    assert hackney not in for_lambeth[specialist]
    assert "Antidote: LGBTQ+ drug, alcohol and chemsex support" in for_lambeth[specialist]
    antidote = next(c for c in doc.select("article.card") if "Antidote" in text(c.select_one(".card-title")))
    assert "(London-wide)" in text(antidote)
    assert text(doc.select_one("p[role=status]")) == "Showing services a resident of Lambeth can use."
    assert doc.select_one("#pathway-borough option[selected]")["value"] == "lambeth"


def test_an_unknown_borough_is_explained(seeded_client):
    doc = page(seeded_client.get("/pathways/chemsex-support?borough=atlantis"))
    assert "Choose a London borough" in text(doc.select_one("#pathway-borough-error"))
    assert doc.select("article.card")  # still shows the whole pathway
