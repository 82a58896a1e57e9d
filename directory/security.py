"""Security headers on every response, proxy trust, and production cookie checks."""

from flask import request
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
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Only behind proxies we run: otherwise anyone could claim HTTPS or another address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.after_request(add_security_headers)


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


def add_security_headers(response):
    """Add the security headers, and HSTS when the request came over HTTPS."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
