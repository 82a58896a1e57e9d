"""Accounts: password rules, sign-in and sign-out, links, logout everywhere, rate limits, the CLI."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory import accounts
from directory.extensions import db
from directory.models import AuditEvent, Invitation, User
from directory.models.base import utcnow
from tests.accounts_helpers import PASSWORD, error_for, make_user, page, sign_in, signed_in
from tests.conftest import make_app


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("password1234", "too common"),
        ("QWERTYUIOP123", "too common"),
        ("123456789012", "too common"),
        ("aaaaaaaaaaaaaaab", "too few characters"),
        ("sam.jones-1990!", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in accounts.password_problem(password, "sam.jones@example.org")


def test_a_long_uncommon_password_is_accepted_and_hashed_with_scrypt(app, make):
    user = make.user("sam@example.org", password=None)
    accounts.set_password(user, "ward round biscuit tin")
    assert user.password_hash.startswith("scrypt:")
    assert accounts.authenticate("SAM@example.org ", "ward round biscuit tin") == user


def test_the_bundled_common_password_list_is_a_few_thousand_long():
    common = accounts.common_passwords()
    assert len(common) > 5000
    assert {"123456", "password", "qwerty", "iloveyou"} <= common


def test_sign_in_and_out_are_audited_and_a_wrong_password_says_so(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    client = app.test_client()
    wrong = client.post("/account/sign-in", data={"email": "sam@example.org", "password": "not it at all"})
    assert wrong.status_code == 401
    assert "email address or password is not right" in error_for(page(wrong), "password")
    assert wrong.get_data(as_text=True).count("not it at all") == 0, "a typed password is never echoed back"
    ok = sign_in(client, user)
    assert ok.status_code == 302 and ok.location.endswith("/agency/")
    assert client.post("/account/sign-out").status_code == 302
    assert client.get("/agency/").status_code == 302
    assert _actions() == ["sign-in-failed", "sign-in", "sign-out"]
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign-in-failed"))
    assert failed.detail["email"] == "sam@example.org" and "password" not in failed.detail


def test_unknown_and_switched_off_accounts_cannot_sign_in(app, make):
    user = make_user(make, "sam@example.org")
    user.is_active = False
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, user).status_code == 401
    assert sign_in(client, "nobody@example.org").status_code == 401


def test_sign_in_never_redirects_to_another_site(app, make):
    user = make_user(make, "admin@example.org", is_admin=True)
    client = app.test_client()
    response = client.post(
        "/account/sign-in?next=//evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location.endswith("/admin/")
    client.post("/account/sign-out")
    response = client.post(
        "/account/sign-in?next=/admin/queue", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location.endswith("/admin/queue")


def test_changing_the_password_signs_out_every_other_session(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    assert phone.get("/agency/").status_code == 200
    refused = laptop.post(
        "/account/password",
        data={"current": "wrong", "password": "new kettle lamp post", "confirm": "new kettle lamp post"},
    )
    assert "current password is not right" in error_for(page(refused), "current")
    changed = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "password": "new kettle lamp post", "confirm": "new kettle lamp post"},
    )
    assert changed.status_code == 302
    assert laptop.get("/agency/").status_code == 200, "the browser that changed it stays signed in"
    assert phone.get("/agency/").status_code == 302, "every other session is signed out"
    assert "password-changed" in _actions()


def test_a_link_works_once_stores_only_a_hash_and_expires(app, make):
    org = make.organisation()
    admin = make_user(make, "admin@example.org", is_admin=True)
    user, token = accounts.invite_editor("new@example.org", org, admin)
    db.session.commit()
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert accounts.find_link(token) == invitation

    second = accounts.issue_reset(user, admin)
    db.session.commit()
    with pytest.raises(accounts.LinkError, match="already been used or was replaced"):
        accounts.find_link(token)
    accounts.complete_link(second, "ward round biscuit tin")
    db.session.commit()
    with pytest.raises(accounts.LinkError, match="already been used"):
        accounts.find_link(second)

    third = accounts.issue_reset(user, admin)
    db.session.commit()
    latest = db.session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    latest.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(accounts.LinkError, match="expired"):
        accounts.find_link(third)
    response = app.test_client().get(f"/account/set-password/{third}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert app.test_client().get("/account/set-password/made-up").status_code == 410


def test_admin_reset_link_is_shown_to_the_admin_and_setting_it_signs_out_old_sessions(app, make):
    admin = make_user(make, "admin@example.org", is_admin=True)
    editor = make_user(make, "sam@example.org", organisations=[make.organisation()])
    old_session = signed_in(app.test_client(), editor)
    assert old_session.get("/agency/").status_code == 200
    admin_client = signed_in(app.test_client(), admin)
    shown = page(admin_client.post(f"/admin/users/{editor.id}/reset"))
    link = shown.select_one("#reset-link")["value"]
    assert "has emailed them this link" in shown.get_text()
    done = app.test_client().post(
        link.split("localhost", 1)[1],
        data={"password": "a brand new phrase", "confirm": "a brand new phrase"},
    )
    assert done.status_code == 302
    assert old_session.get("/agency/").status_code == 302
    assert "reset-link-issued" in _actions()


def test_sign_in_is_rate_limited_per_account_and_per_address_with_a_clear_message(tmp_path, request):
    request.getfixturevalue("_reference_template")
    import shutil

    from tests.conftest import USING_POSTGRES

    if USING_POSTGRES:
        pytest.skip("the limiter is the same on either database; SQLite is enough here")
    path = tmp_path / "db.sqlite"
    shutil.copy(request.getfixturevalue("_reference_template"), path)
    app = make_app(f"sqlite:///{path}", tmp_path / "index", RATELIMIT_ENABLED=True)
    with app.app_context():
        db.session.add(User(email="sam@example.org"))
        db.session.commit()
        client = app.test_client()
        for _ in range(5):
            assert (
                client.post(
                    "/account/sign-in", data={"email": "sam@example.org", "password": "x"}
                ).status_code
                == 401
            )
        blocked = client.post("/account/sign-in", data={"email": "sam@example.org", "password": "x"})
        assert blocked.status_code == 429
        assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
        # Other accounts from the same address still get a few tries, up to the per-address limit.
        statuses = [
            client.post(
                "/account/sign-in", data={"email": f"guess{i}@example.org", "password": "x"}
            ).status_code
            for i in range(20)
        ]
        assert statuses[0] == 401 and statuses[-1] == 429
        db.session.remove()
        db.engine.dispose()


def test_cli_create_admin_prints_a_one_time_link(app, runner):
    result = runner.invoke(
        args=["users", "create-admin", "First@Example.org", "--base-url", "https://dir.example"]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://dir.example/account/set-password/")
    user = db.session.scalar(select(User).where(User.email == "first@example.org"))
    assert user.is_admin and user.password_hash is None
    response = app.test_client().post(
        link.removeprefix("https://dir.example"),
        data={"password": "lantern otter meadow", "confirm": "lantern otter meadow"},
    )
    assert response.status_code == 302 and response.location.endswith("/admin/")


def test_cli_create_admin_can_prompt_for_a_password_twice(app, runner):
    weak = runner.invoke(
        args=["users", "create-admin", "a@example.org", "--password"], input="password1234\npassword1234\n"
    )
    assert weak.exit_code != 0 and "too common" in weak.output
    result = runner.invoke(
        args=["users", "create-admin", "a@example.org", "--password"],
        input="lantern otter meadow\nlantern otter meadow\n",
    )
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("a@example.org", "lantern otter meadow").is_admin



def test_cli_create_admin_links_to_the_configured_address(app, runner):
    app.config["DIRECTORY_BASE_URL"] = "https://directory.example.org/"
    result = runner.invoke(args=["users", "create-admin", "first@example.org"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith(
        "https://directory.example.org/account/set-password/"
    )
