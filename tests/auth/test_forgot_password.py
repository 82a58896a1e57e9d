"""Forgot your password?: one answer for every address, a single-use expiring link only for real accounts.

Mail goes through a real SMTP server on loopback (tests/mail_server.py).
"""

from datetime import timedelta

from sqlalchemy import select

from directory import account_mail, clock
from directory.extensions import db
from directory.models import AuditEvent, Invitation, OutboxMessage
from tests.accounts_helpers import PASSWORD, error_for, make_user, page, sign_in
from tests.conftest import counting_queries
from tests.mail_server import deliver, links_in, path_of, text_of

NEW_PASSWORD = "kettle lantern harbour moss"


def _ask(client, email, address="192.0.2.10"):
    return client.post(
        "/account/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def _answer(response, typed):
    """The page's main text with the typed address taken out: what must not differ between accounts."""
    main = page(response).select_one("main")
    return main.get_text(" ", strip=True).replace(typed, "<address>")


def test_the_sign_in_page_offers_forgot_your_password(client):
    soup = page(client.get("/account/sign-in"))
    link = soup.find("a", string="Forgot your password?")
    assert link is not None and link["href"] == "/account/forgot-password"
    form = page(client.get(link["href"])).select_one("main form")
    assert form.select_one("label[for=email]").get_text(strip=True) == "Email address"


def test_a_real_account_is_emailed_a_single_use_link_that_sets_a_new_password(app, make, real_mail):
    sam = make_user(make, "sam@example.org", organisations=[make.organisation("Agency A")])
    answered = _ask(app.test_client(), "Sam@Example.org")
    assert answered.status_code == 200
    assert "If Sam@Example.org has an account, we have sent a link" in page(answered).get_text(" ")

    assert deliver().sent == 1
    [message] = real_mail.to("sam@example.org")
    assert message["Subject"] == "Set a new password for the directory"
    text = text_of(message)
    assert "asked for a link to set a new password for sam@example.org" in text
    assert "within 2 hours" in text, "RESET_LINK_HOURS, not the invitation's 72"
    [link] = [url for url in links_in(message) if "/set-password/" in url]

    browser = app.test_client()
    assert "Set your password" in browser.get(path_of(link)).get_data(as_text=True)
    done = browser.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302, "set and signed in"
    assert sign_in(app.test_client(), sam, PASSWORD).status_code == 401, "the old password is gone"
    assert sign_in(app.test_client(), sam, NEW_PASSWORD).status_code == 302

    reused = app.test_client().get(path_of(link))
    assert reused.status_code == 410
    assert "already been used" in reused.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, make, real_mail):
    make_user(make, "sam@example.org", organisations=[make.organisation()])
    known = _ask(app.test_client(), "sam@example.org")
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert unknown.status_code == known.status_code == 200
    assert _answer(unknown, "nobody@example.org") == _answer(known, "sam@example.org")

    assert deliver().sent == 1
    assert real_mail.to("nobody@example.org") == []
    assert [m["X-Envelope-To"] for m in real_mail.messages] == ["sam@example.org"]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password-reset-requested").order_by(AuditEvent.id)
    ).all()
    assert [(e.detail["email"], e.detail["sent"]) for e in events] == [
        ("sam@example.org", True),
        ("nobody@example.org", False),
    ]


def test_a_switched_off_account_gets_the_same_answer_and_no_mail(app, make, real_mail):
    make_user(make, "gone@example.org", organisations=[make.organisation()]).is_active = False
    db.session.commit()
    answered = _ask(app.test_client(), "gone@example.org")
    assert answered.status_code == 200 and "If gone@example.org has an account" in answered.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Invitation)) is None
    assert deliver().sent == 0 and real_mail.messages == []


def test_known_and_unknown_addresses_cost_the_same_database_work(app, make):
    make_user(make, "sam@example.org", organisations=[make.organisation()])
    with app.test_request_context(), counting_queries() as for_known:
        account_mail.request_reset("sam@example.org", "192.0.2.10")
    db.session.rollback()
    with app.test_request_context(), counting_queries() as for_unknown:
        account_mail.request_reset("nobody@example.org", "192.0.2.10")
    db.session.rollback()
    assert len(for_known) == len(for_unknown)
    assert [s.split()[0] for s in for_known] == [s.split()[0] for s in for_unknown]


def test_the_link_expires_after_reset_link_hours(app, make, real_mail):
    make_user(make, "sam@example.org", organisations=[make.organisation()])
    _ask(app.test_client(), "sam@example.org")
    deliver()
    [link] = [url for url in links_in(real_mail.messages[0]) if "/set-password/" in url]
    invitation = db.session.scalar(select(Invitation))
    assert invitation.purpose == "reset"

    later = clock.utcnow() + timedelta(hours=app.config["RESET_LINK_HOURS"], minutes=1)
    app.config["DIRECTORY_NOW"] = later.isoformat()
    expired = app.test_client().get(path_of(link))
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    refused = app.test_client().post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is None, "nothing changed"


def test_a_forged_link_gets_the_clear_problem_page(client):
    forged = client.get("/account/set-password/not-a-real-token-at-all")
    assert forged.status_code == 410
    assert "This link is not valid" in forged.get_data(as_text=True)
    assert "/account/forgot-password" in forged.get_data(as_text=True), "it says how to get a new one"


def test_asking_again_replaces_the_earlier_link(app, make, real_mail):
    make_user(make, "sam@example.org", organisations=[make.organisation()])
    _ask(app.test_client(), "sam@example.org")
    _ask(app.test_client(), "sam@example.org")
    deliver()
    first, second = ([u for u in links_in(m) if "/set-password/" in u][0] for m in real_mail.messages)
    assert app.test_client().get(path_of(first)).status_code == 410
    assert app.test_client().get(path_of(second)).status_code == 200


def test_a_typed_address_that_is_not_one_is_shown_beside_the_field(client):
    refused = client.post("/account/forgot-password", data={"email": "sam at example"})
    assert refused.status_code == 400
    assert "Enter an email address" in error_for(page(refused), "email")
    assert db.session.scalar(select(OutboxMessage)) is None


def test_requests_are_limited_per_address_typed_and_per_client(limited_app):
    from tests.factories import Factories

    make_user(Factories(), "sam@example.org", organisations=[Factories().organisation()])
    client = limited_app.test_client()
    assert [_ask(client, "sam@example.org", "192.0.2.1").status_code for _ in range(3)] == [200] * 3
    blocked = _ask(client, "sam@example.org", "198.51.100.7")
    assert blocked.status_code == 429, "held for the address typed, wherever it comes from"
    assert "Too many requests for a password link" in blocked.get_data(as_text=True)
    assert db.session.query(OutboxMessage).count() == 3

    statuses = [_ask(client, f"guess{i}@example.org", "203.0.113.9").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429, "one client walking a list of addresses"
    assert _ask(client, "other@example.org", "192.0.2.99").status_code == 200


def test_the_emailed_link_is_built_on_the_sites_address_never_on_the_requests_host(app, make, real_mail):
    app.config["DIRECTORY_BASE_URL"] = "https://directory.example.org"
    make_user(make, "sam@example.org")
    client = app.test_client()
    client.post("/account/forgot-password", data={"email": "sam@example.org"},
                headers={"Host": "attacker.example"})
    deliver()
    [message] = real_mail.to("sam@example.org")
    links = links_in(message)
    assert links and all(url.startswith("https://directory.example.org") for url in links)
    assert "attacker.example" not in text_of(message)
