"""What every request costs, cut without changing what it answers: security headers added in one pass,
no cookie signer for requests without a session cookie, anonymous visitors taken as such at once."""

from flask import session
from flask_login import current_user

from directory import security
from tests.accounts_helpers import make_user, signed_in


def _headers(app, view_headers, base_url="http://localhost"):
    with app.test_request_context("/", base_url=base_url):
        response = app.response_class("x", headers=view_headers)
        return list(security.add_security_headers(response).headers.items())


def _one_by_one(app, view_headers, base_url="http://localhost"):
    """What the headers were when each was set with setdefault."""
    with app.test_request_context("/", base_url=base_url):
        response = app.response_class("x", headers=view_headers)
        for name, value in security.SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if base_url.startswith("https"):
            response.headers.setdefault("Strict-Transport-Security", security.HSTS)
        return list(response.headers.items())


def test_security_headers_are_what_setdefault_gave_in_the_same_order(app):
    for base_url in ("http://localhost", "https://localhost"):
        for view_headers in ({}, {"content-security-policy": "default-src 'none'"},
                             {"X-Frame-Options": "SAMEORIGIN", "Strict-Transport-Security": "max-age=1"}):
            assert _headers(app, view_headers, base_url) == _one_by_one(app, view_headers, base_url)


def test_a_header_the_view_set_is_kept_and_sent_once(app):
    headers = _headers(app, {"Content-Security-Policy": "default-src 'none'"})
    assert [v for k, v in headers if k.lower() == "content-security-policy"] == ["default-src 'none'"]


def test_a_request_without_a_session_cookie_gets_an_empty_session_unsigned(app, monkeypatch):
    interface = app.session_interface
    assert isinstance(interface, security.SessionsFromCookiesSent)
    def signer(app):
        raise AssertionError("a signer was built for a request without a session cookie")

    monkeypatch.setattr(interface, "get_signing_serializer", signer)
    with app.test_request_context("/"):
        opened = interface.open_session(app, app.request_class({"HTTP_COOKIE": ""}))
    assert opened is not None and dict(opened) == {} and not opened.modified


def test_a_session_cookie_is_still_read_and_a_forged_one_refused(app, client):
    with client.session_transaction() as sent:
        sent["seen"] = "yes"
    with client:
        client.get("/about")
        assert session.get("seen") == "yes"
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "forged.value.here")
    with client:
        client.get("/about")
        assert "seen" not in session


def test_a_visitor_without_cookies_is_anonymous_without_flask_login_looking(app, client, monkeypatch):
    def looked():
        raise AssertionError("Flask-Login looked for a user in a request that sent no cookie")

    monkeypatch.setattr(app.login_manager, "_load_user", looked)
    with client:
        assert client.get("/about").status_code == 200
        assert not current_user.is_authenticated


def test_a_signed_in_user_is_still_loaded(app, client, make):
    user = make_user(make, "editor@example.org")
    signed_in(client, user)
    with client:
        client.get("/about")
        assert current_user.is_authenticated and current_user.get_id() == user.get_id()


def test_a_remember_me_cookie_goes_the_whole_way(app, client):
    client.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), "not-a-real-token")
    with client:
        assert client.get("/about").status_code == 200
        assert not current_user.is_authenticated
