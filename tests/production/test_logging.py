"""Request logs: one JSON line per request, without search terms, addresses or who asked."""

import json
import logging

from directory.logging import _StripQueryStrings

KEYS = {"time", "event", "method", "route", "endpoint", "status", "duration_ms"}


def test_one_line_per_request_with_route_status_and_duration(client, request_log):
    client.get("/")
    client.get("/no-such-page")
    records = request_log.records()
    assert len(records) == 2
    home, missing = records
    assert home["method"] == "GET" and home["route"] == "/" and home["status"] == 200
    assert home["endpoint"] == "public.home"
    assert isinstance(home["duration_ms"], float) and home["duration_ms"] >= 0
    assert missing["status"] == 404
    # An unmatched path may hold anything someone typed, so it is not logged.
    assert missing["route"] is None
    assert "no-such-page" not in request_log.lines[1]


def test_search_terms_postcodes_and_addresses_stay_out_of_the_log(client, request_log):
    client.get(
        "/?q=tina+slamming&postcode=SW9+8BS",
        headers={"X-Forwarded-For": "203.0.113.9", "User-Agent": "PrivateBrowser/1.0"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    (line,) = request_log.lines
    for secret in ("tina", "slamming", "SW9", "203.0.113.9", "198.51.100.7", "PrivateBrowser", "?"):
        assert secret not in line
    assert set(json.loads(line)) == KEYS


def test_signed_in_users_are_not_named_in_the_log(app, make, request_log):
    from flask_login import login_user

    user = make.user(email="editor.private@example.org")

    @app.get("/_as-editor")
    def as_editor():
        login_user(user)
        return "ok"

    client = app.test_client()
    client.get("/_as-editor")
    client.get("/")
    assert len(request_log.lines) == 2
    assert all("editor.private" not in line for line in request_log.lines)
    assert {frozenset(r) for r in request_log.records()} == {frozenset(KEYS)}


def test_development_server_lines_lose_their_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '"%s" %s %s',
                               ("GET /search?q=tina&postcode=SW9 HTTP/1.1", "200", "-"), None)
    _StripQueryStrings().filter(record)
    assert record.getMessage() == '"GET /search HTTP/1.1" 200 -'
