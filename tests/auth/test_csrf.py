"""CSRF: every form POST needs a token; only the test configuration turns the check off."""

import inspect

import pytest

import config
from directory.extensions import db
from tests.accounts_helpers import PASSWORD, make_user, page, signed_in
from tests.conftest import _app_for


def test_csrf_is_on_in_every_configuration_except_the_tests():
    classes = [c for _, c in inspect.getmembers(config, inspect.isclass) if issubclass(c, config.Config)]
    assert {config.Config, config.ProductionConfig} <= set(classes)
    for cls in classes:
        if cls is config.TestConfig or issubclass(cls, config.TestConfig):
            continue
        assert cls.WTF_CSRF_ENABLED is True, f"{cls.__name__} turns CSRF protection off"
    assert config.config_for_environment().WTF_CSRF_ENABLED is True


@pytest.fixture
def csrf_app(request, tmp_path):
    app = _app_for(request, tmp_path, seeded=False, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_posts_without_a_token_are_refused_and_with_one_accepted(csrf_app):
    from tests.factories import Factories

    make = Factories()
    org = make.organisation("Agency A")
    service = make.service("A's clinic", organisation=org, postcode="SW9 8BS")
    admin = make_user(make, "admin@example.org", is_admin=True)

    anonymous = csrf_app.test_client()
    refused = anonymous.post("/account/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True) or "form" in refused.get_data(as_text=True).lower()

    client = signed_in(csrf_app.test_client(), admin)
    for url in (
        f"/agency/services/{service.id}/verify",
        "/admin/organisations",
        f"/admin/organisations/{org.id}/invite",
        "/account/sign-out",
    ):
        assert client.post(url, data={"name": "X", "email": "x@example.org"}).status_code == 400, url
    db.session.expire_all()
    assert service.verified_at is None

    token = page(client.get(f"/agency/services/{service.id}")).select_one("input[name=csrf_token]")["value"]
    assert client.post(f"/agency/services/{service.id}/verify", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert service.verified_at is not None


def _token(client, url):
    return page(client.get(url)).select_one("input[name=csrf_token]")["value"]


def test_a_form_token_from_before_sign_in_is_refused_after_it(csrf_app):
    from tests.factories import Factories

    admin = make_user(Factories(), "admin@example.org", is_admin=True)
    client = csrf_app.test_client()
    before = _token(client, "/account/sign-in")
    signed = client.post(
        "/account/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": before}
    )
    assert signed.status_code == 302
    # A token planted before sign-in (say, by someone who used the browser first) no longer works.
    assert client.post("/account/sign-out", data={"csrf_token": before}).status_code == 400
    assert client.get("/admin/").status_code == 200
    after = _token(client, "/admin/")
    assert after != before
    assert client.post("/account/sign-out", data={"csrf_token": after}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_form_token_from_before_setting_a_password_is_refused_after_it(csrf_app):
    from directory import accounts

    user = accounts.create_admin("new@example.org")
    token = accounts.issue_link(user, "invite")
    db.session.commit()
    client = csrf_app.test_client()
    before = _token(client, f"/account/set-password/{token}")
    done = client.post(
        f"/account/set-password/{token}",
        data={"password": "lantern otter meadow", "confirm": "lantern otter meadow", "csrf_token": before},
    )
    assert done.status_code == 302
    assert client.post("/account/sign-out", data={"csrf_token": before}).status_code == 400
    assert client.get("/admin/").status_code == 200
