"""Sign-in: limits a stranger cannot turn into a lock-out, odd input, and where it lands afterwards."""

import pytest
from sqlalchemy import select

from directory import accounts, plain_text
from directory.auth.views import _safe_next
from directory.extensions import db
from directory.models import AuditEvent
from tests.accounts_helpers import PASSWORD, error_for, make_user, page

OWNER, STRANGER, THIRD = "192.0.2.10", "198.51.100.66", "203.0.113.5"


def _try(client, email, password, address):
    return client.post(
        "/account/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_a_stranger_guessing_from_their_address_cannot_lock_the_owner_out(limited_app):
    from tests.factories import Factories

    owner = make_user(Factories(), "sam@example.org", organisations=[Factories().organisation()])
    stranger = limited_app.test_client()
    assert [_try(stranger, owner.email, "guess", STRANGER).status_code for _ in range(5)] == [401] * 5
    blocked = _try(stranger, owner.email, PASSWORD, STRANGER)
    assert blocked.status_code == 429, "held for this address, right password or not"
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)

    assert _try(limited_app.test_client(), owner.email, PASSWORD, OWNER).status_code == 302
    assert _try(limited_app.test_client(), owner.email, "typo", THIRD).status_code == 401


def test_one_address_guessing_many_accounts_is_stopped_by_the_address_limit(limited_app):
    client = limited_app.test_client()
    statuses = [_try(client, f"guess{i}@example.org", "x", STRANGER).status_code for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    assert _try(client, "someone@example.org", "x", OWNER).status_code == 401


def test_successful_sign_ins_do_not_count_towards_the_limits(limited_app):
    from tests.factories import Factories

    owner = make_user(Factories(), "sam@example.org", organisations=[Factories().organisation()])
    for _ in range(8):
        client = limited_app.test_client()
        assert _try(client, owner.email, PASSWORD, OWNER).status_code == 302


def test_the_per_account_brake_is_beyond_what_one_address_may_try_in_a_day():
    from directory.auth import limits

    assert limits.ACCOUNT_PER_DAY > limits.ADDRESS_PER_DAY


@pytest.mark.parametrize("email", ["sam\x00@example.org", "sam@example.org\r\n", "\x1b[31m@x.org"])
def test_a_control_character_in_the_email_is_refused_beside_the_field(app, make, email):
    make_user(make, "sam@example.org")
    response = app.test_client().post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 401
    shown = error_for(page(response), "email")
    assert plain_text.CONTROL_CHARACTER in shown or plain_text.LINE_BREAK in shown


def test_finding_and_recording_odd_emails_never_fails(app, make):
    make_user(make, "sam@example.org")
    assert accounts.authenticate("sam\x00@example.org", PASSWORD) is None
    accounts.record_failed_sign_in("sam\x00@example.org\x85" + "x" * 500, None)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign-in-failed"))
    assert "\x00" not in event.detail["email"] and len(event.detail["email"]) <= 254


def test_the_limit_keys_cope_with_any_email(limited_app):
    client = limited_app.test_client()
    for email in ("\x00", "x" * 100_000, "é" * 300, ""):
        assert _try(client, email, "x", STRANGER).status_code in (400, 401)


@pytest.mark.parametrize(
    "target",
    ["/admin/\r\nSet-Cookie: x=1", "/admin/\n", "/admin\x00", "/\x85", "/a\tb"],
)
def test_safe_next_refuses_control_characters(target):
    assert _safe_next(target) is None


def test_a_line_break_in_next_is_refused_plainly_before_anyone_is_signed_in(app, make):
    user = make_user(make, "admin@example.org", is_admin=True)
    client = app.test_client()
    response = client.post(
        "/account/sign-in?next=/admin/%0d%0aSet-Cookie:%20x=1",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 400 and "Set-Cookie" not in str(response.headers.get("Location"))
    assert "line break" in response.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent.action)).all() == []
    assert client.get("/admin/").status_code == 302
