"""Security headers on every response, proxy trust, and the checks production must pass to start."""

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# Nothing inline and nothing from elsewhere: pages load only our own scripts, styles and images,
# so an injected <script> or style= attribute does nothing, and no third party learns who visits.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
}

# Cookie settings production must have: over HTTPS only, out of reach of scripts, not sent cross-site.
PRODUCTION_COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


def init_app(app):
    """Check production settings, trust the configured proxies and add security headers."""
    check_production_cookies(app)
    check_base_url(app)
    problem = shared_limits_problem(app.config)
    if problem:
        raise RuntimeError(problem)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Only behind proxies we run: otherwise anyone could claim HTTPS or another address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.after_request(add_security_headers)
    app.session_interface = SessionsFromCookiesSent()


class SessionsFromCookiesSent(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with nothing to verify for a request that sends no session cookie.

    Most requests (every anonymous search, every API call) send none; Flask builds the cookie's signer
    for each anyway, a fifth of what `GET /api/v1/` costs. With no secret key, Flask's own answer stands.
    """

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def visitor_without_cookies():
    """Take a request that sends neither a session nor a remember-me cookie as from someone not signed in.

    That is what Flask-Login finds, on a page's first look at `current_user` (every template asks), after
    hashing the address and browser for session protection and looking for cookies and headers: a
    twentieth of a results page. Registered after the sign-in hook (directory/auth), which forgets any
    user left on `g` first; requests that send either cookie, or a manager with request or header
    loaders, go the whole way.
    """
    manager = current_app.login_manager
    config, cookies = current_app.config, request.cookies
    remember = config.get("REMEMBER_COOKIE_NAME", "remember_token")  # Flask-Login's default name
    if config["SESSION_COOKIE_NAME"] in cookies or remember in cookies:
        return
    if manager._request_callback is not None or manager._header_callback is not None:
        return
    g._login_user = manager.anonymous_user()


def check_production_cookies(app):
    """Refuse to start in production with cookies that could leak over HTTP or to scripts."""
    if app.config.get("ENV_NAME") != "production":
        return
    wrong = [name for name, wanted in PRODUCTION_COOKIE_SETTINGS.items() if app.config.get(name) != wanted]
    if wrong:
        raise RuntimeError(
            "Production needs secure cookies: set "
            + ", ".join(f"{n}={PRODUCTION_COOKIE_SETTINGS[n]}" for n in wrong)
        )


def check_base_url(app):
    """Refuse to start in production without the https address every absolute link is built on."""
    if app.config.get("ENV_NAME") != "production":
        return
    parts = urlsplit(app.config.get("DIRECTORY_BASE_URL") or "")
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(
            "Set DIRECTORY_BASE_URL to the https address people reach the directory at, e.g. "
            "https://directory.example.org: set-password links are built on it, never on a request's Host."
        )


def shared_limits_problem(settings, workers: int | None = None) -> str | None:
    """Return why production's sign-in limits would not hold across its processes, or None.

    `memory://` counts in each process alone, so with several workers (or nodes) each allows the
    full number of guesses. The app cannot see how many workers there are: it needs shared storage
    or RATELIMIT_SINGLE_WORKER=1; gunicorn.conf.py passes `workers`, which no setting overrides.
    """
    if settings.get("ENV_NAME") != "production" or not settings.get("RATELIMIT_ENABLED", True):
        return None
    if not (settings.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        return None
    fix = "set RATELIMIT_STORAGE_URI to shared storage such as redis://redis.internal:6379/0"
    if workers is not None and workers > 1:
        return f"{workers} gunicorn workers would each count sign-in attempts alone: {fix}."
    if workers is None and not settings.get("RATELIMIT_SINGLE_WORKER"):
        return (
            f"Rate limits in memory:// count per process: {fix}, or RATELIMIT_SINGLE_WORKER=1 if one "
            "process (one worker on one node) serves the whole site."
        )
    return None


_SECURITY_HEADER_NAMES = frozenset(name.lower() for name in (*SECURITY_HEADERS, "Strict-Transport-Security"))


def add_security_headers(response):
    """Add the security headers, and HSTS when the request came over HTTPS, unless the view set its own.

    What setdefault for each would give, from one look at the headers the view set: each setdefault
    scans them all again (about a tenth of a millisecond per response, as much as a small API answer).
    """
    headers = response.headers
    wanted = list(SECURITY_HEADERS.items())
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", HSTS))
    set_by_view = {name.lower() for name, _ in headers.items()} & _SECURITY_HEADER_NAMES
    headers.extend([(name, value) for name, value in wanted if name.lower() not in set_by_view])
    return response
