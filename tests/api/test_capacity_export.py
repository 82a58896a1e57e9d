"""What a service says about new referrals goes out over the ORUK API as HSDS 3.0's wait_time, dated."""

import json

from directory import capacity
from directory.commands.hsds import import_records
from directory.extensions import db
from directory.interchange.export import iter_oruk_services
from directory.models import Service

API = "/api/v1"
SAID = "2026-11-03T10:00:00+00:00"


def _state(app, service_id, choice, weeks=None):
    app.config["DIRECTORY_NOW"] = SAID
    capacity.state_capacity(db.session.get(Service, service_id), choice, weeks, None)
    db.session.commit()


def test_a_waiting_list_is_exported_as_a_dated_wait_time_that_validates(app, client, make, valid):
    service = make.service(name="Zyxomba clinic")
    before = client.get(f"{API}/services/{service.id}").get_json()
    assert "wait_time" not in before  # nothing said: nothing exported, nothing made up

    _state(app, service.id, "waiting_list", 6)

    after = valid("service", client.get(f"{API}/services/{service.id}").get_json())
    assert after["wait_time"] == "Waiting list: about 6 weeks (said on 3 November 2026)"


def test_each_state_is_exported_and_a_cleared_one_is_not(app, client, make, valid):
    service = make.service(name="Zyxomba clinic")
    _state(app, service.id, "not_accepting")
    listed = client.get(f"{API}/services").get_json()
    assert listed["contents"][0]["wait_time"] == (
        "Not taking new referrals at the moment (said on 3 November 2026)")
    valid("service_list", listed)
    _state(app, service.id, "accepting")
    assert client.get(f"{API}/services/{service.id}").get_json()["wait_time"].startswith(
        "Accepting new referrals")
    capacity.clear(db.session.get(Service, service.id), None)
    db.session.commit()
    assert "wait_time" not in client.get(f"{API}/services/{service.id}").get_json()


def test_an_exported_statement_survives_a_round_trip_through_import_as_it_came(app, make, valid):
    service = make.service(name="Zyxomba clinic")
    _state(app, service.id, "waiting_list", 2)
    (first,) = json.loads(json.dumps(list(iter_oruk_services())))
    valid("service", first)
    report = import_records([first], source="re-export")
    assert report.rejected == [] and report.updated == 0
    (second,) = json.loads(json.dumps(list(iter_oruk_services())))
    assert second["wait_time"] == first["wait_time"] == (
        "Waiting list: about 2 weeks (said on 3 November 2026)")
