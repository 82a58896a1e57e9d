"""Browser tests: Debian's Chromium driven by pytest-playwright against a live server.

The app runs in a thread (werkzeug on 127.0.0.1, a random port) on a copy of the seeded database,
plus a few listings with opening hours, with "now" pinned so that open-now answers never change.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
# A Wednesday afternoon in London: the journey's listings are open, the evening one is not.
PINNED_NOW = "2026-03-04T14:30:00"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright cannot download browsers here)."""
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"needs Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@dataclass
class LiveServer:
    url: str
    app: object
    journey: dict  # name -> service id of the listings added for the journey

    def __call__(self, path: str) -> str:
        return self.url + path


def _add_journey_services():
    """Add listings a "tina, Lambeth, self-referral, open now" search should and should not find."""
    from tests.factories import Factories

    make = Factories()
    weekdays = [(d, "10:00", "18:00") for d in range(5)]
    chemsex = "Chemsex support for gay and bi men: crystal meth, G and mephedrone. No referral needed."
    services = {
        "drop-in": make.service(
            name="Brixton chemsex drop-in", description=chemsex, types=("chemsex-support", "harm-reduction"),
            audiences=("lgbtq", "gay-bi-msm"), routes=("self-referral", "walk-in"), postcode="SW9 8BS",
            hours=weekdays, url="https://example.org/brixton",
        ),
        "recovery": make.service(
            name="Lambeth crystal meth recovery group", description=chemsex,
            types=("chemsex-support", "peer-support"), audiences=("gay-bi-msm",), routes=("self-referral",),
            catchment="boroughs", catchment_boroughs=("lambeth",), postcode="SE11 5HL", hours=weekdays,
        ),
        "evening": make.service(
            name="Thursday evening chemsex clinic", description=chemsex, types=("chemsex-support",),
            audiences=("lgbtq",), routes=("self-referral",), postcode="SW9 8BS",
            hours=[(3, "18:00", "21:00")],
        ),
        "southwark-only": make.service(
            name="Southwark residents' chemsex service", description=chemsex, types=("chemsex-support",),
            audiences=("lgbtq",), routes=("self-referral",), catchment="boroughs",
            catchment_boroughs=("southwark",), postcode="SE1 4YB", hours=weekdays,
        ),
    }
    return {key: s.id for key, s in services.items()}


def app_on_a_copy(template, root, **overrides):
    """Return an app on a copy of a template database in `root`, with CSRF on as in every deployment
    (so cookie behaviour is what users get)."""
    path = root / "directory.db"
    shutil.copy(template, path)
    return make_app(f"sqlite:///{path}", root / "search-index", WTF_CSRF_ENABLED=True, **overrides)


@contextmanager
def serving(app, links_follow: bool = True):
    """Serve `app` in a thread on 127.0.0.1 at a free port and yield its address; stop it after.

    With `links_follow`, links sent on (set-password, "still accurate") are built on that address."""
    from directory.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    if links_follow:
        app.config["DIRECTORY_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(_seeded_template, tmp_path_factory):
    """Serve the app on a random local port for the whole browser session."""
    from directory.extensions import db

    app = app_on_a_copy(_seeded_template, tmp_path_factory.mktemp("live"), DIRECTORY_NOW=PINNED_NOW)
    with app.app_context():
        journey = _add_journey_services()
        db.session.remove()
    with serving(app, links_follow=False) as url:
        yield LiveServer(url, app, journey)


@pytest.fixture(scope="session")
def base_url(live_server):
    """Point pytest-playwright's relative URLs at the live server (and replace its own base_url)."""
    return live_server.url


@pytest.fixture
def foreign_requests(page, live_server):
    """Collect every request the page makes to anything but the app (there must be none)."""
    seen = []
    page.on("request", lambda request: None if request.url.startswith((live_server.url, "data:"))
            else seen.append(request.url))
    return seen


@pytest.fixture(autouse=True)
def _fail_fast(request):
    """Fail within seconds, not Playwright's default 30, when something is missing."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(5000)
