"""Hours read cleanly: a session or location note that repeats the times is not said again."""

from datetime import time

from directory import hours_wording
from directory.models import Schedule

from .conftest import page, seeded, text


def week(opens="00:00", closes="00:00", note="", days=range(7)):
    opens_at, closes_at = time.fromisoformat(opens), time.fromisoformat(closes)
    return [Schedule(weekday=d, opens_at=opens_at, closes_at=closes_at, note=note) for d in days]


def test_a_24_hour_place_noted_24_hours_says_it_once():
    # The seeded A&Es: every session noted "24 hours", and the location's note "24 hours" too.
    sessions = week(note="24 hours")
    assert hours_wording.weekly_hours(sessions)[0] == ("Monday", "24 hours")
    assert hours_wording.compact_hours(sessions) == "Mon–Sun 24 hours"
    assert hours_wording.compact_hours(sessions, "24 hours") == "Mon–Sun 24 hours"
    assert hours_wording.hours_note_beyond(sessions, "24 hours") == ""


def test_a_note_that_adds_something_is_kept_once():
    # The seeded Havens: sessions noted "by appointment", the location "24 hours, by appointment".
    sessions = week(note="by appointment")
    assert hours_wording.compact_hours(sessions) == "Mon–Sun 24 hours (by appointment)"
    with_note = hours_wording.compact_hours(sessions, "24 hours, by appointment")
    assert with_note == "Mon–Sun 24 hours (by appointment)"
    weekdays = week("09:00", "17:00", days=range(5))
    assert hours_wording.compact_hours(weekdays, "Closed on bank holidays") == (
        "Mon–Fri 09:00–17:00 (Closed on bank holidays)")
    assert hours_wording.hours_note_beyond(weekdays, "Closed on bank holidays") == "Closed on bank holidays"


def test_with_no_sessions_the_line_is_the_note_or_nothing():
    assert hours_wording.compact_hours([], "By appointment only") == "By appointment only"
    assert hours_wording.compact_hours([], "") == hours_wording.compact_hours([]) == ""


def test_a_seeded_a_and_e_page_and_its_card_never_repeat_24_hours(client, seeded_app):
    service = seeded("St Thomas' Hospital A&E")
    doc = page(client.get(f"/services/{service.id}"))
    cells = [text(td) for td in doc.select("table.hours td")]
    assert cells and all(c == "24 hours" for c in cells)
    results = page(client.get("/search", query_string={"q": "St Thomas A&E"}))
    assert "(24 hours)" not in text(results) and "(24 hours)" not in text(doc.select_one("table.hours"))
