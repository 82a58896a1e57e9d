"""The agency form refuses what the directory cannot store or publish, beside the field or section."""

import io

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Revision, RevisionStatus
from tests.accounts_helpers import error_for, form_values, page, signed_in


@pytest.fixture
def editing(app, world):
    """An editor of agency A with the edit form of A's clinic open (the world's pending change withdrawn)."""
    world.pending.status = RevisionStatus.WITHDRAWN
    db.session.commit()
    client = signed_in(app.test_client(), world.editor_a)
    url = f"/agency/services/{world.service_a.id}/edit"
    return client, url, form_values(client.get(url), submit="save")


def pending_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Revision).where(Revision.status == RevisionStatus.PENDING)
    )


def _sent(client, url, form, status=200):
    response = client.post(url, data=form)
    assert response.status_code == status, response.status_code
    return page(response)


@pytest.mark.parametrize("address", ['https://example.org/"onmouseover', "https://example.org/<b>", "https://e.org/>"])
@pytest.mark.parametrize("field_id", ["url", "locations-0-url"])
def test_a_web_address_holding_quotes_or_angle_brackets_is_refused_beside_the_field(
    editing, address, field_id
):
    client, url, form = editing
    form.setlist(field_id, [address])
    soup = _sent(client, url, form)
    assert error_for(soup, field_id), f"no message beside {field_id}"
    assert pending_count() == 0


def test_an_agency_field_sent_as_a_file_is_refused_beside_the_field(editing):
    client, url, form = editing
    data = {key: form.getlist(key) for key in form}
    data["description"] = (io.BytesIO(b"A description"), "description.txt")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "a file cannot be sent here" in error_for(page(response), "description")
    assert pending_count() == 0


def test_a_null_byte_in_a_location_field_is_refused_beside_it(editing):
    client, url, form = editing
    form.setlist("locations-0-address_1", ["1 High\x00 Street"])
    soup = _sent(client, url, form)
    assert "control character" in error_for(soup, "locations-0-address_1")
    assert pending_count() == 0


def test_an_opening_times_note_longer_than_1000_characters_is_refused(editing):
    client, url, form = editing
    form.setlist("locations-0-hours_note", ["By appointment. " * 70])  # 1,120 characters
    soup = _sent(client, url, form)
    assert "longer than 1000 characters" in error_for(soup, "locations-0-hours_note")
    assert pending_count() == 0


def test_an_opening_times_note_of_1000_characters_is_sent_for_review(editing):
    client, url, form = editing
    form.setlist("locations-0-hours_note", ["x" * 1000])
    assert client.post(url, data=form).status_code == 302
    assert pending_count() == 1


def _phone_rows(form, count):
    for key in [k for k in form if k.startswith("phones-")]:
        del form[key]
    for row in range(count):
        form.setlist(f"phones-{row}-number", [f"020 7946 {row:04d}"])
        form.setlist(f"phones-{row}-description", [f"Line {row}"])


def test_more_phone_numbers_than_a_listing_takes_are_refused_beside_the_section(editing):
    client, url, form = editing
    _phone_rows(form, 11)
    soup = _sent(client, url, form)
    assert "at most 10 phone numbers" in error_for(soup, "phones")
    assert soup.select_one("#phones")["aria-describedby"].split() == ["phones-hint", "phones-error"]
    assert any("at most 10 phone numbers" in a.get_text() for a in soup.select(".error-summary a"))
    assert pending_count() == 0


def test_ten_phone_numbers_and_spare_blank_rows_are_sent_for_review(editing):
    client, url, form = editing
    _phone_rows(form, 10)
    form.setlist("phones-10-number", [""])
    form.setlist("phones-11-number", [""])
    assert client.post(url, data=form).status_code == 302
    [revision] = db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    assert len(revision.snapshot["phones"]) == 10


def test_asking_for_more_rows_in_a_full_section_adds_none_and_says_nothing_broke(editing):
    client, url, form = editing
    _phone_rows(form, 10)
    form.add("add_rows", "y")
    soup = _sent(client, url, form)
    assert len(soup.select("input[name$='-number']")) == 10


def test_more_opening_times_than_a_location_takes_are_refused_beside_its_table(editing):
    client, url, form = editing
    for row in range(31):
        day, hour = divmod(row, 5)
        form.setlist(f"locations-0-sessions-{row}-weekday", [str(day % 7)])
        form.setlist(f"locations-0-sessions-{row}-opens_at", [f"{8 + 2 * hour + (day // 7) :02d}:00"])
        form.setlist(f"locations-0-sessions-{row}-closes_at", [f"{9 + 2 * hour + (day // 7):02d}:00"])
    soup = _sent(client, url, form)
    assert "at most 30 opening times" in error_for(soup, "locations-0-sessions")
    assert pending_count() == 0


def test_more_locations_than_a_listing_takes_are_refused_beside_the_section(editing):
    client, url, form = editing
    for row in range(1, 21):
        form.setlist(f"locations-{row}-location_type", ["virtual"])
        form.setlist(f"locations-{row}-name", [f"Phone line {row}"])
        form.setlist(f"locations-{row}-borough_code", [""])
    soup = _sent(client, url, form)
    assert "at most 20 locations" in error_for(soup, "locations")
    assert pending_count() == 0
    # Ticking one for removal leaves 20, which the listing takes.
    form.setlist("locations-20-remove", ["y"])
    assert client.post(url, data=form).status_code == 302


def test_a_stray_high_row_number_makes_one_row_not_a_hundred(editing):
    client, url, form = editing
    form.setlist("locations-99-location_type", ["virtual"])
    form.setlist("locations-99-name", ["Helpline"])
    form.setlist("locations-99-borough_code", [""])
    assert client.post(url, data=form).status_code == 302
    [revision] = db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    assert [loc["name"] for loc in revision.snapshot["locations"]][1:] == ["Helpline"]


@pytest.mark.parametrize("field", ["locations-0-sessions-1-note", "phones-0-description"])
def test_a_row_holding_only_a_line_break_is_refused_not_taken_for_a_blank_row(editing, field):
    client, url, form = editing
    form.setlist(field, ["\r"])
    soup = _sent(client, url, form)
    assert "on one line" in error_for(soup, field)
    assert pending_count() == 0
