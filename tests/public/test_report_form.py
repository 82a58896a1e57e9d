""""What is wrong?" is a radio group with nothing chosen: a report must say which problem it is."""

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import ProblemReport
from directory.public.forms import REPORT_CATEGORIES

from .conftest import page, text


@pytest.fixture
def service(app, make):
    return make.service(name="Brixton chemsex clinic", postcode="SW9 8BS")


def test_the_choices_are_radios_in_a_fieldset_with_a_legend_and_a_label_each(client, service):
    doc = page(client.get(f"/services/{service.id}/report"))
    fieldset = doc.select_one("fieldset.radios")
    assert text(fieldset.legend) == "What is wrong?"
    radios = fieldset.select("input[type=radio]")
    assert [(r["name"], r["value"]) for r in radios] == [("category", v) for v, _ in REPORT_CATEGORIES]
    labels = [text(doc.select_one(f'label[for="{r["id"]}"]')) for r in radios]
    assert labels == [label for _, label in REPORT_CATEGORIES]
    assert radios[0]["id"] == "category"  # where the error summary's link lands
    assert len({r["id"] for r in radios}) == len(radios)
    assert not doc.select("input[name=category][checked]") and not doc.select("select#category")


@pytest.mark.parametrize("sent", [{}, {"category": ""}, {"category": "not-a-category"}])
def test_a_report_without_a_choice_is_refused_beside_the_radios_and_in_the_summary(client, service, sent):
    response = client.post(f"/services/{service.id}/report",
                           data={**sent, "message": "The clinic has moved to Stockwell."})
    doc = page(response, status=400)
    assert text(doc.select_one("#category-error")) == "Error: Choose what is wrong."
    assert doc.select_one("fieldset.radios")["aria-describedby"] == "category-error"
    summary = [(a["href"], text(a)) for a in doc.select(".error-summary a")]
    assert summary == [("#category", "Choose what is wrong.")]
    assert doc.select_one("#category")["type"] == "radio"
    # What was typed stays, so nothing has to be typed again.
    assert "Stockwell" in text(doc.select_one("#message"))
    assert db.session.scalars(select(ProblemReport)).all() == []


def test_the_chosen_radio_is_kept_when_another_field_is_wrong(client, service):
    doc = page(client.post(f"/services/{service.id}/report", data={"category": "closed", "message": ""}),
               status=400)
    assert [r["value"] for r in doc.select("input[name=category][checked]")] == ["closed"]
    assert doc.select_one("#category-error") is None
