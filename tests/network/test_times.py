"""Event times: typed in London time, stored in UTC, said in words; clock changes and bad times."""

from datetime import UTC, date, datetime, time

import pytest

from directory.network import events
from tests.network.helpers import published_event


def test_london_times_are_stored_as_utc_on_either_side_of_the_clock_change():
    summer, _, _ = events.times_from_parts(date(2026, 10, 24), time(18, 0), None, time(19, 0))
    winter, _, _ = events.times_from_parts(date(2026, 10, 31), time(18, 0), None, time(19, 0))
    assert summer == datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    assert winter == datetime(2026, 10, 31, 18, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_beside_its_field():
    with pytest.raises(events.EventTimeError) as refused:
        events.times_from_parts(date(2026, 3, 29), time(1, 30), None, time(3, 0))
    assert refused.value.field == "start_time"
    assert "clocks go forward" in str(refused.value)


def test_an_event_must_end_after_it_starts():
    with pytest.raises(events.EventTimeError) as refused:
        events.times_from_parts(date(2026, 5, 1), time(18, 0), None, time(17, 0))
    assert refused.value.field == "end_time"
    with pytest.raises(events.EventTimeError) as refused:
        events.times_from_parts(date(2026, 5, 2), None, date(2026, 5, 1), None)
    assert refused.value.field == "end_date"


def test_one_time_without_the_other_is_refused():
    with pytest.raises(events.EventTimeError) as refused:
        events.times_from_parts(date(2026, 5, 1), time(18, 0), None, None)
    assert refused.value.field == "end_time"


def test_dates_without_times_make_an_all_day_event_said_as_time_not_recorded(network):
    event = published_event(network, day=date(2024, 6, 7), starts=None, ends=None)
    assert event.all_day
    assert events.when(event) == "Friday 7 June 2024 (time not recorded)"


def test_a_timed_event_is_said_in_london_time(network):
    event = published_event(network, day=date(2026, 10, 31), starts=time(18, 0), ends=time(20, 30))
    assert events.when(event) == "Saturday 31 October 2026, 18:00 to 20:30"


def test_upcoming_events_come_soonest_first_and_past_ones_latest_first(network):
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    later = published_event(network, title="Later", day=date(2026, 9, 1))
    sooner = published_event(network, title="Sooner", day=date(2026, 7, 1))
    old = published_event(network, title="Old", day=date(2024, 6, 7), starts=None, ends=None)
    recent = published_event(network, title="Recent", day=date(2026, 5, 1))
    lists = events.listed(now)
    assert lists.upcoming == [sooner, later]
    assert lists.past == [recent, old]


def test_an_all_day_event_is_upcoming_until_its_london_day_ends(network):
    event = published_event(network, day=date(2026, 7, 1), starts=None, ends=None)
    assert not events.is_over(event, datetime(2026, 7, 1, 22, 30, tzinfo=UTC))  # 23:30 in London
    assert events.is_over(event, datetime(2026, 7, 1, 23, 0, tzinfo=UTC))  # midnight in London
