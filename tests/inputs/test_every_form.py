"""Every text field of every form refuses control characters and oversized values beside itself.

The forms are found as a browser finds them: on the site's pages, one for each POST route in the
url_map. Nothing is written by a refused form, and nothing answers with a 500.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import plain_text
from directory.extensions import db
from tests.accounts_helpers import error_for, page

from . import site

SETTINGS = settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
OVERSIZED = "x" * (plain_text.MAX_CHARACTERS + 1)


def _refused_beside(form: site.FoundForm, name: str, element_id: str, value: str, expected: str):
    data = form.values.copy()
    data.setlist(name, [value])
    before = site.what_is_stored()
    response = form.client.post(form.action, data=data)
    where = f"{form.endpoint} ({form.shown_on}) field {name!r} given {plain_text.printable(value[:40])!r}"
    status = response.status_code
    assert status == 200 or 400 <= status < 500, f"{where}: {status}"
    message = error_for(page(response), element_id)
    assert expected in message, f"{where}: beside the field it says {message!r}"
    db.session.expire_all()
    assert site.what_is_stored() == before, f"{where}: something was written"


def test_every_post_route_shows_its_form_on_some_page(app, make, world):
    values = site.prepare(world, make)
    found = site.forms_shown(app, world, values)
    unshown = [r.endpoint for r in site.post_rules(app) if r.endpoint not in found]
    assert unshown == []
    assert sum(len(f.fields) for f in found.values()) > 50  # every listing field, row and note


def test_every_text_field_refuses_control_characters_and_oversized_values_beside_itself(app, make, world):
    found = site.forms_shown(app, world, site.prepare(world, make))
    fields = [(form, *field) for form in found.values() for field in form.fields]
    too_long = f"at most {plain_text.MAX_CHARACTERS:,} characters"

    for form, name, element_id, _ in fields:
        _refused_beside(form, name, element_id, OVERSIZED, too_long)

    @SETTINGS
    @given(
        single=st.lists(st.sampled_from(site.CONTROL), min_size=1, max_size=8),
        several=st.lists(st.sampled_from(site.CONTROL_NOT_LINES), min_size=1, max_size=8),
        before=st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=5),
        after=st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=5),
    )
    def run(single, several, before, after):
        for position, (form, name, element_id, lines) in enumerate(fields):
            chars = several if lines else single
            character = chars[position % len(chars)]
            expected = plain_text.LINE_BREAK if character in "\r\n" else plain_text.CONTROL_CHARACTER
            _refused_beside(form, name, element_id, f"{before}{character}{after}", expected)

    run()


def test_a_sign_in_email_holding_a_null_byte_is_refused_beside_the_email(app, world):
    response = app.test_client().post(
        "/account/sign-in", data={"email": "admin@example.org\x00", "password": "anything"}
    )
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert plain_text.CONTROL_CHARACTER in error_for(page(response), "email")
