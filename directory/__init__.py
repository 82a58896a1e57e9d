"""The London referral and care pathway directory: application factory."""

from flask import Flask

from config import Config


def create_app(config_class=Config):
    """Create and configure the app."""
    app = Flask(
        __name__,
        instance_path=str(config_class.__dict__.get("INSTANCE_PATH", "") or _default_instance_path()),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config_class)
    _check_production_secrets(app)

    # Logging first, so each request's log line times every hook registered after it.
    register_logging(app)
    register_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_visitors(app)
    register_errorhandlers(app)
    register_mail(app)
    register_commands(app)
    register_template_helpers(app)
    # Last, so the search index follows commits made by everything registered above.
    register_search(app)
    return app


def _default_instance_path():
    from config import INSTANCE_DIR

    return INSTANCE_DIR


# Sessions and CSRF tokens are signed with it: a short one can be guessed offline from one cookie.
MIN_SECRET_KEY_BYTES = 32


def _check_production_secrets(app):
    from config import DEV_SECRET_KEY

    if app.config.get("ENV_NAME") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    make_one = "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
    if key == DEV_SECRET_KEY or not key:
        raise RuntimeError(f"Set SECRET_KEY: production refuses the development secret key; {make_one}")
    length = len(key.encode("utf-8") if isinstance(key, str) else key)
    if length < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY is {length} bytes: production needs at least {MIN_SECRET_KEY_BYTES}; {make_one}"
        )


def register_logging(app):
    from . import logging

    logging.init_app(app)


def register_security(app):
    from . import request_guard, security

    security.init_app(app)
    request_guard.init_app(app)


def register_extensions(app):
    from . import (
        models,  # noqa: F401  (registers the mappers before anything queries)
        revisions,  # noqa: F401  (installs the revision listener)
    )
    from .extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    with app.app_context():
        from .database import ping_after_idle

        for engine in db.engines.values():
            ping_after_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)


def register_blueprints(app):
    # Each area's package makes its blueprint and its views module adds the routes to it. The package
    # does not import its views (they import `bp` from it: a loop), so they are imported here, first.
    from .admin import bp as admin_bp
    from .admin import content_views as admin_content_views  # noqa: F401
    from .admin import network_views as admin_network_views  # noqa: F401
    from .admin import onboarding_views as admin_onboarding_views  # noqa: F401
    from .admin import views as admin_views  # noqa: F401
    from .agency import bp as agency_bp
    from .agency import capacity_views as agency_capacity_views  # noqa: F401
    from .agency import confirm_views as agency_confirm_views  # noqa: F401
    from .agency import content_views as agency_content_views  # noqa: F401
    from .agency import views as agency_views  # noqa: F401
    from .api import bp as api_bp
    from .api import views as api_views  # noqa: F401
    from .auth import bp as auth_bp
    from .auth import views as auth_views  # noqa: F401
    from .health import bp as health_bp
    from .insights import bp as insights_bp
    from .insights import views as insights_views  # noqa: F401
    from .network import bp as network_bp
    from .network import views as network_views  # noqa: F401
    from .public import bp as public_bp
    from .public import list_views  # noqa: F401
    from .public import views as public_views  # noqa: F401
    from .resources import agency_views as resource_agency_views  # noqa: F401
    from .resources import bp as resources_bp
    from .resources import views as resource_views  # noqa: F401

    app.register_blueprint(public_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(network_bp, url_prefix="/network")
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp, url_prefix="/account")
    app.register_blueprint(agency_bp, url_prefix="/agency")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(insights_bp, url_prefix="/insights")
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_visitors(app):
    # After the blueprints: the sign-in hook (directory/auth) forgets whoever `g` held before this runs.
    from . import security

    app.before_request(security.visitor_without_cookies)


def register_errorhandlers(app):
    from . import errors

    errors.init_app(app)


def register_mail(app):
    from . import mail

    mail.init_app(app)


def register_commands(app):
    from . import commands

    commands.init_app(app)


def register_template_helpers(app):
    from . import templating

    templating.init_app(app)


def register_search(app):
    from . import search

    search.init_app(app)
