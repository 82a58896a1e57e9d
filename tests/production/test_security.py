"""Security headers on every response, HTTPS-only cookies and HSTS in production, no inline code."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import session

from config import BASE_DIR, DEV_SECRET_KEY, ProductionConfig, TestConfig
from directory import create_app
from directory.extensions import db
from directory.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_app

from .conftest import parameterless_get_routes

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
}


def assert_security_headers(response, where):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"


def test_the_policy_forbids_inline_code_and_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"


def test_every_parameterless_page_sends_the_security_headers(seeded_app):
    client = seeded_app.test_client()
    paths = parameterless_get_routes(seeded_app)
    assert "/" in paths and "/healthz" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        assert_security_headers(response, path)
        assert "Strict-Transport-Security" not in response.headers, f"{path} sent HSTS over plain HTTP"


def test_errors_and_static_files_carry_the_headers_too(client):
    assert_security_headers(client.get("/no-such-page"), "404 page")
    static = client.get("/static/css/site.css")
    assert static.status_code == 200
    assert_security_headers(static, "static file")
    static.close()
    assert_security_headers(client.post("/healthz"), "405")


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_forwarded_proto_is_ignored_unless_proxies_are_trusted(tmp_path, request):
    response = _get_from_app_like(request, tmp_path, "/healthz", {"X-Forwarded-Proto": "https"},
                                  TRUSTED_PROXIES=0)
    assert "Strict-Transport-Security" not in response.headers

    response = _get_from_app_like(request, tmp_path, "/healthz", {"X-Forwarded-Proto": "https"},
                                  TRUSTED_PROXIES=1)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _get_from_app_like(request, tmp_path, path, headers, **overrides):
    """GET `path` from a new app on the test database, configured with `overrides`."""
    app = make_app(request.getfixturevalue("app").config["SQLALCHEMY_DATABASE_URI"], tmp_path / "index-x",
                   **overrides)
    with app.app_context():
        response = app.test_client().get(path, headers=headers)
        db.session.remove()
        db.engine.dispose()
    return response


class _Production(ProductionConfig):
    SECRET_KEY = "a-real-secret-from-the-environment-32-bytes-or-more"
    DIRECTORY_BASE_URL = "https://directory.example.org"
    TRUSTED_HOSTS = ["directory.example.org"]
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"  # not connected to until a limit is checked
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    SEARCH_POLL_SECONDS = 0  # no database behind it to poll


def test_production_refuses_the_development_secret_key():
    class Dev(_Production):
        SECRET_KEY = DEV_SECRET_KEY

    class Empty(_Production):
        SECRET_KEY = ""

    for config in (Dev, Empty):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(config)


def test_production_refuses_a_short_secret_key_and_says_how_to_make_one():
    class Short(_Production):
        SECRET_KEY = "x" * 31

    with pytest.raises(RuntimeError, match="at least 32") as refused:
        create_app(Short)
    assert "secrets.token_hex(32)" in str(refused.value)

    class LongEnough(_Production):
        SECRET_KEY = "é" * 16  # 32 bytes in UTF-8

    create_app(LongEnough)


@pytest.mark.parametrize("base_url", ["", "http://directory.example.org", "directory.example.org",
                                      "https://", "https://directory.example.org/?x=1"])
def test_production_refuses_to_start_without_an_https_base_url(base_url):
    class Missing(_Production):
        DIRECTORY_BASE_URL = base_url

    with pytest.raises(RuntimeError, match="DIRECTORY_BASE_URL"):
        create_app(Missing)


def test_production_trusts_only_the_base_urls_host_unless_told_otherwise():
    from config import trusted_hosts

    assert trusted_hosts("https://directory.example.org/", None) == ["directory.example.org"]
    assert trusted_hosts("https://directory.example.org:8443", "") == ["directory.example.org"]
    assert trusted_hosts("https://directory.example.org", "directory.example.org, www.example.org ") == [
        "directory.example.org", "www.example.org"
    ]
    assert trusted_hosts("", None) is None


def test_a_request_for_another_host_gets_a_plain_400_page():
    app = create_app(_Production)
    client = app.test_client()
    assert client.get("/account/sign-in", base_url="https://directory.example.org").status_code == 200
    for path in ("/", "/account/sign-in", "/api/v1/services", "/no-such-page"):
        response = client.get(path, base_url="https://evil.example")
        assert response.status_code == 400, path
        assert_security_headers(response, f"untrusted host {path}")
    assert client.get("/api/v1/services", base_url="https://evil.example").json["error"] == "Bad Request"
    assert "Bad Request" in client.get("/", base_url="https://evil.example").get_data(as_text=True)


def test_production_refuses_cookies_that_could_travel_over_http():
    class Insecure(_Production):
        SESSION_COOKIE_SECURE = False

    with pytest.raises(RuntimeError, match="SESSION_COOKIE_SECURE"):
        create_app(Insecure)


def test_production_session_cookie_is_secure_httponly_and_lax():
    app = create_app(_Production)

    @app.get("/_remember-something")
    def remember():
        session["seen"] = True
        return "ok"

    cookie = (
        app.test_client()
        .get("/_remember-something", base_url="https://directory.example.org")
        .headers["Set-Cookie"]
    )
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly"} <= attributes
    assert "samesite=lax" in cookie.lower()


def test_development_cookies_still_work_over_plain_http():
    assert TestConfig.SESSION_COOKIE_SECURE is False
    assert TestConfig.SESSION_COOKIE_HTTPONLY is True


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Return what the Content-Security-Policy would block in this markup."""
    problems = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTRIBUTE),
                          ("on*= handler", EVENT_HANDLER), ("<style> element", STYLE_ELEMENT)):
        problems += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return problems


def test_the_inline_code_check_catches_what_csp_blocks():
    assert inline_code('<script>alert(1)</script>')
    assert inline_code('<p style="color:red">')
    assert inline_code('<button type="button" onclick="go()">')
    assert inline_code("<style>p{}</style>")
    assert not inline_code('<script src="/static/js/site.js" defer></script><p class="note">')


def test_no_template_holds_inline_scripts_styles_or_handlers():
    problems = {}
    for template in sorted(Path(BASE_DIR, "templates").rglob("*.html")):
        found = inline_code(template.read_text(encoding="utf-8"))
        if found:
            problems[str(template.relative_to(BASE_DIR))] = found
    assert problems == {}


def test_no_rendered_page_holds_inline_scripts_styles_or_handlers(seeded_app):
    client = seeded_app.test_client()
    for path in parameterless_get_routes(seeded_app):
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        assert inline_code(response.get_data(as_text=True)) == [], path
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for tag in soup.find_all(["script", "link", "img", "iframe"]):
            url = tag.get("src") or tag.get("href") or ""
            assert not url.startswith(("http:", "https:", "//")), f"{path} loads {url} from another site"
