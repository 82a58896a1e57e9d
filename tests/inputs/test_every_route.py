"""No address or query parameter holding a control character reaches a view: every GET route says 400.

The routes come from the app's url_map; each path parameter and a sample of query parameters are
given control characters (NUL, which PostgreSQL refuses, included). Under /api the answer is JSON.
"""

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts_helpers import sign_in

from . import site

SETTINGS = settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
# Parameters pages and the API read, and one no page reads (the guard checks every one).
PARAMETERS = ("q", "postcode", "borough", "page", "per_page", "s", "back", "action", "start", "end", "sort",
              "miles", "pathway", "open", "lgbtq", "text", "taxonomy_term_id", "unheard_of")
AROUND = st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=4)


def _assert_refused(response, where):
    assert response.status_code == 400, f"{where}: {response.status_code}"
    if where.startswith("/api/"):
        body = response.get_json()
        assert body["error"] == "Bad Request" and "control character" in body["message"], where
    else:
        assert "control character" in response.get_data(as_text=True) or "on one line" in response.get_data(
            as_text=True
        ), where


def test_every_get_route_refuses_control_characters_in_its_path_and_query(app, make, world):
    values = site.prepare(world, make)
    rules = site.get_rules(app)
    with_parameters = [r for r in rules if r.arguments]
    assert len(with_parameters) >= 10 and len(rules) >= 40
    signed_out, admin = app.test_client(), app.test_client()
    assert sign_in(admin, world.admin).status_code == 302

    @SETTINGS
    @given(
        character=st.sampled_from(site.CONTROL),
        before=AROUND,
        after=AROUND,
        parameter=st.sampled_from(PARAMETERS),
        signed_in=st.booleans(),
    )
    def run(character, before, after, parameter, signed_in):
        client = admin if signed_in else signed_out
        bad = f"{before}{character}{after}"
        for rule in rules:
            for name in rule.arguments:
                # A number stands in for the value while building, so integer parameters get one too.
                path = site.path_of(rule, {**values, name: 987654321})
                path = path.replace("987654321", quote(bad, safe=""))
                _assert_refused(client.get(path), path)
            path = site.path_of(rule, values)
            for query in ({parameter: bad}, {f"{parameter}{character}": "1"}):
                _assert_refused(client.get(path, query_string=query), f"{path}?{query}")

    run()
