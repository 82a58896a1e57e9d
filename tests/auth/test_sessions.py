"""Sign-in sessions live on the server: signing out ends them, and people can see and end their own."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory import sign_in_sessions
from directory.extensions import db
from directory.models import SignInSession
from directory.models.base import utcnow
from tests.accounts_helpers import PASSWORD, make_user, page, sign_in

FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def _browser(app, user_agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def _session_cookie(client):
    return client.get_cookie("session").value


def _sessions(user):
    db.session.expire_all()
    return db.session.scalars(select(SignInSession).where(SignInSession.user_id == user.id)).all()


def test_an_old_session_cookie_stops_working_after_sign_out(app, make):
    admin = make_user(make, "admin@example.org", is_admin=True)
    browser = app.test_client()
    sign_in(browser, admin)
    stolen = _session_cookie(browser)
    assert browser.get("/admin/").status_code == 200
    assert browser.post("/account/sign-out").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/account/sign-in" in response.location
    [ended] = _sessions(admin)
    assert ended.ended_at is not None


def test_the_session_id_in_the_cookie_is_random_and_only_its_hash_is_stored(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    first, second = app.test_client(), app.test_client()
    sign_in(first, user)
    sign_in(second, user)
    rows = _sessions(user)
    assert len(rows) == 2 and rows[0].token_hash != rows[1].token_hash
    with first.session_transaction() as session:
        token = session["_user_id"]
    assert not token.startswith(f"{user.id}:") and len(token) >= 40, "no user id, no guessable part"
    assert all(token not in row.token_hash for row in rows) and len(rows[0].token_hash) == 64


def test_signed_in_people_see_their_sessions_and_end_the_others(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    laptop, phone = _browser(app, FIREFOX_ON_WINDOWS), _browser(app, SAFARI_ON_IPHONE)
    sign_in(laptop, user)
    sign_in(phone, user)

    listing = page(laptop.get("/account/sessions"))
    rows = listing.select("li.sign-in-session")
    assert sorted(row.select_one(".browser").get_text(strip=True) for row in rows) == [
        "Firefox on Windows",
        "Safari on iOS",
    ]
    this_one = [row for row in rows if "This browser" in row.get_text()]
    assert len(this_one) == 1 and "Firefox on Windows" in this_one[0].get_text()
    assert page(laptop.get("/account/password")).select_one("a[href='/account/sessions']")

    other = next(row for row in rows if row is not this_one[0])
    ended = laptop.post(other.select_one("form")["action"])
    assert ended.status_code == 302
    assert phone.get("/agency/").status_code == 302, "the phone is signed out"
    assert laptop.get("/agency/").status_code == 200, "this browser stays signed in"
    assert "Safari on iOS" not in page(laptop.get("/account/sessions")).select_one("main").get_text()


def test_sign_out_everywhere_else_keeps_only_this_browser(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:
        sign_in(browser, user)
    assert browsers[0].post("/account/sessions/end-others").status_code == 302
    assert [b.get("/agency/").status_code for b in browsers] == [200, 302, 302]
    assert [row.ended_at is None for row in _sessions(user)] == [True, False, False]


def test_ending_someone_elses_session_is_not_found(app, make):
    org = make.organisation()
    sam = make_user(make, "sam@example.org", organisations=[org])
    kim = make_user(make, "kim@example.org", organisations=[org])
    sams_browser, kims_browser = app.test_client(), app.test_client()
    sign_in(sams_browser, sam)
    sign_in(kims_browser, kim)
    [kims_session] = _sessions(kim)
    assert sams_browser.post(f"/account/sessions/{kims_session.id}/end").status_code == 404
    assert sams_browser.post("/account/sessions/999999/end").status_code == 404
    assert kims_browser.get("/agency/").status_code == 200
    assert "kim@example.org" not in sams_browser.get("/account/sessions").get_data(as_text=True)


def test_ending_this_browsers_own_session_from_the_list_signs_it_out(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    browser = app.test_client()
    sign_in(browser, user)
    [mine] = _sessions(user)
    response = browser.post(f"/account/sessions/{mine.id}/end")
    assert response.status_code == 302
    assert browser.get("/agency/").status_code == 302


def test_the_sessions_page_needs_a_signed_in_person(app):
    response = app.test_client().get("/account/sessions")
    assert response.status_code == 302 and "/account/sign-in" in response.location
    assert app.test_client().post("/account/sessions/end-others").status_code == 302


def test_switching_an_account_off_ends_all_its_sessions(app, make):
    admin = make_user(make, "admin@example.org", is_admin=True)
    editor = make_user(make, "sam@example.org", organisations=[make.organisation()])
    editors_browser, admins_browser = app.test_client(), app.test_client()
    sign_in(editors_browser, editor)
    sign_in(admins_browser, admin)
    admins_browser.post(f"/admin/users/{editor.id}/active", data={"active": "0"})
    admins_browser.post(f"/admin/users/{editor.id}/active", data={"active": "1"})
    assert editors_browser.get("/agency/").status_code == 302, "switching back on does not revive it"
    assert all(row.ended_at is not None for row in _sessions(editor))


def _editor_signed_in_once(app, make):
    """Return (browser, editor, their one session) for an editor signed in on one browser."""
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    browser = app.test_client()
    sign_in(browser, user)
    [row] = _sessions(user)
    return browser, user, row


def test_a_session_left_idle_too_long_stops_working(app, make):
    browser, user, row = _editor_signed_in_once(app, make)
    row.last_seen_at = utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"], minutes=1)
    db.session.commit()
    assert browser.get("/agency/").status_code == 302


def test_a_session_older_than_its_lifetime_stops_working_even_in_daily_use(app, make):
    browser, user, row = _editor_signed_in_once(app, make)
    row.created_at = utcnow() - timedelta(days=app.config["SESSION_MAX_DAYS"], minutes=1)
    row.last_seen_at = utcnow()
    db.session.commit()
    assert browser.get("/agency/").status_code == 302


def test_last_seen_is_written_only_every_few_minutes(app, make):
    browser, user, row = _editor_signed_in_once(app, make)
    recently = utcnow() - timedelta(minutes=1)
    row.last_seen_at = recently
    db.session.commit()
    browser.get("/agency/")
    [row] = _sessions(user)
    assert abs(row.last_seen_at.replace(tzinfo=None) - recently.replace(tzinfo=None)) < timedelta(seconds=1)

    row.last_seen_at = utcnow() - timedelta(minutes=sign_in_sessions.TOUCH_EVERY_MINUTES + 1)
    db.session.commit()
    browser.get("/agency/")
    [row] = _sessions(user)
    assert row.last_seen_at.replace(tzinfo=None) > (utcnow() - timedelta(minutes=1)).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (SAFARI_ON_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
        ("\x00" * 5000, "Unknown browser"),
    ],
)
def test_a_session_is_described_by_a_coarse_browser_name(user_agent, described):
    assert sign_in_sessions.describe_browser(user_agent) == described


def test_old_sessions_are_pruned_by_a_command(app, make):
    user = make_user(make, "sam@example.org", organisations=[make.organisation()])
    kept, ended, expired = app.test_client(), app.test_client(), app.test_client()
    for browser in (kept, ended, expired):
        sign_in(browser, user)
    ended.post("/account/sign-out")
    rows = _sessions(user)
    rows[2].last_seen_at = utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"] + 1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "2 ended or expired sign-in sessions deleted" in result.output
    assert [row.id for row in _sessions(user)] == [rows[0].id]
    assert kept.get("/agency/").status_code == 200


def test_a_wrong_password_starts_no_session(app, make):
    user = make_user(make, "sam@example.org")
    app.test_client().post("/account/sign-in", data={"email": user.email, "password": PASSWORD + "x"})
    assert _sessions(user) == []


def test_the_sessions_page_says_how_long_sessions_last_in_whole_days(app, make):
    browser, _, _ = _editor_signed_in_once(app, make)
    text = page(browser.get("/account/sessions")).select_one("main").get_text()
    assert "for 14 days ends by itself" in text and "ends 31 days after" in text
