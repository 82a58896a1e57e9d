"""The outbox: messages staged with the change that causes them, sent by `flask mail send` over real SMTP.

A loopback SMTP server (aiosmtpd) stands in for the relay: it accepts, refuses (550) or is down.
"""

import pytest
from jinja2 import ChoiceLoader, DictLoader

from directory import mail
from directory.extensions import db
from directory.mail import delivery
from directory.mail.compose import TemplateError
from directory.models import Organisation, OutboxMessage
from directory.models.base import as_utc
from tests.mail_server import deliver, html_of, text_of

NOTE = """Subject: A note about {{ name }}
Why: You are getting this because a test asked for it.

Hello {{ name }},

- first thing: {{ base_url }}/agency/
- second thing

Sign in at {{ base_url }}/account/sign-in, not at https://elsewhere.example/phish.
"""


@pytest.fixture
def note_template(app):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({"mail/note.txt": NOTE}), original])
    yield "note"
    app.jinja_env.loader = original


def _waiting():
    return db.session.scalars(delivery.waiting()).all()


def test_a_message_says_who_sent_it_and_why_in_text_and_simple_html(app, real_mail, note_template):
    mail.queue("note", "Sam@Example.org", note_template, name="Sam <script>")
    db.session.commit()
    assert deliver().sent == 1
    [message] = real_mail.messages
    assert message["Subject"] == "A note about Sam <script>"
    assert message["To"] == "sam@example.org"
    assert "directory@localhost" in message["From"]
    text = text_of(message)
    assert text.startswith("Hello Sam <script>,")
    assert "Sent by the London referral and care pathway directory (http://localhost)" in text
    assert "You are getting this because a test asked for it." in text
    html = html_of(message)
    assert "<script>" not in html and "Sam &lt;script&gt;" in html
    assert "<li>first thing: <a href=\"http://localhost/agency/\">" in html
    # Only the directory's own addresses become links; anything else stays typed text.
    assert 'href="https://elsewhere.example' not in html and "https://elsewhere.example/phish" in html


def test_a_template_without_its_headers_is_refused(app):
    bare = DictLoader({"mail/bare.txt": "Hello\n\nthere"})
    app.jinja_env.loader = ChoiceLoader([bare, app.jinja_env.loader])
    with pytest.raises(TemplateError):
        mail.queue("bare", "a@example.org", "bare")


def test_one_message_per_address_and_none_for_a_non_address(app, note_template):
    rows = mail.queue("note", ["a@example.org", "A@example.org ", "b@example.org", "", "not-an-address"],
                      note_template, name="x")
    assert [r.recipient for r in rows] == ["a@example.org", "b@example.org"]


def test_a_change_that_is_rolled_back_sends_nothing(app, make, real_mail, note_template):
    make.organisation("Kept")
    db.session.add(Organisation(name="Never saved"))
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.rollback()
    assert deliver().sent == 0
    assert real_mail.messages == []
    assert db.session.query(OutboxMessage).count() == 0


def test_a_refused_message_stays_in_the_outbox_and_is_retried_later(app, real_mail, note_template):
    mail.queue("note", "a@example.org", note_template, name="x")
    mail.queue("note", "b@example.org", note_template, name="y")
    db.session.commit()
    real_mail.refuse = True
    report = deliver()
    assert (report.sent, report.retrying) == (0, 2)
    assert "550" in report.errors[-1]
    rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert all(r.sent_at is None and r.attempts == 1 and "550" in r.last_error for r in rows)
    # Not tried again at once: the next try waits (back-off).
    real_mail.refuse = False
    assert deliver().sent == 0
    app.config["DIRECTORY_NOW"] = _later(minutes=2)
    assert deliver().sent == 2
    assert sorted(m["To"] for m in real_mail.messages) == ["a@example.org", "b@example.org"]


def test_a_server_that_is_down_leaves_every_message_waiting(app, real_mail, note_template):
    real_mail.stop()
    for n in range(3):
        mail.queue("note", f"p{n}@example.org", note_template, name="x")
    db.session.commit()
    report = deliver()
    assert (report.sent, report.retrying, report.given_up) == (0, 3, 0)
    assert "Connection refused" in report.errors[-1] or "Errno" in report.errors[-1]
    assert db.session.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count() == 3
    # Each wait grows: the 2nd try after a minute, the 3rd after five more.
    first = db.session.query(OutboxMessage).first()
    app.config["DIRECTORY_NOW"] = _later(minutes=2)
    deliver()
    db.session.refresh(first)
    assert first.attempts == 2
    gap = as_utc(first.next_attempt_at) - _parse(app.config["DIRECTORY_NOW"])
    assert 4 * 60 <= gap.total_seconds() <= 6 * 60


def test_after_the_last_try_a_message_is_given_up_not_deleted(app, real_mail, note_template):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    real_mail.refuse = True
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.commit()
    deliver()
    app.config["DIRECTORY_NOW"] = _later(hours=1)
    report = deliver()
    assert report.given_up == 1
    assert delivery.status() == {"sent": 0, "waiting": 0, "given_up": 1}
    app.config["DIRECTORY_NOW"] = _later(days=2)
    assert deliver().sent == 0  # given up: not tried again by itself
    real_mail.refuse = False
    assert delivery.retry_given_up() == 1
    db.session.commit()
    assert deliver().sent == 1


def test_the_command_reports_and_exits_non_zero_while_mail_is_not_going_out(app, real_mail, note_template):
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.commit()
    runner = app.test_cli_runner()
    real_mail.refuse = True
    failed = runner.invoke(args=["mail", "send"])
    assert failed.exit_code == 1 and "1 waiting to be tried again" in failed.output
    status = runner.invoke(args=["mail", "status"])
    assert "waiting 1" in status.output and "Next try:" in status.output
    real_mail.refuse = False
    app.config["DIRECTORY_NOW"] = _later(minutes=2)
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0 and "Sent 1;" in sent.output
    assert len(real_mail.messages) == 1


def test_development_prints_each_requests_mail_to_the_terminal(app, note_template, capsys):
    from flask_mailman import Mail

    app.config.update(MAIL_BACKEND="console", MAIL_SEND_AT_ONCE=True)
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)

    assert _a_page_that_sends_a_note(app, note_template).status_code == 200
    printed = capsys.readouterr().out
    assert "Subject: A note about Dev" in printed and "To: dev@example.org" in printed
    assert delivery.status()["sent"] == 1


def _a_page_that_sends_a_note(app, template):
    """Add a page that stages a note and commits, as a view that sends mail does; return its answer."""

    @app.post("/_test/note")
    def _note():
        mail.queue("note", "dev@example.org", template, name="Dev")
        db.session.commit()
        return "ok"

    return app.test_client().post("/_test/note")


def _parse(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


def _later(**delta):
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def test_a_sent_message_keeps_its_record_but_not_its_links(app, real_mail, note_template):
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.commit()
    deliver()
    row = db.session.query(OutboxMessage).one()
    assert row.sent_at is not None and row.subject == "A note about x" and row.recipient == "a@example.org"
    assert row.text_body == "" and row.html_body == ""


def test_the_admin_dashboard_says_when_mail_is_not_going_out(app, make, real_mail, note_template):
    from tests.accounts_helpers import make_user, signed_in

    admin = make_user(make, "admin@example.org", is_admin=True)
    client = signed_in(app.test_client(), admin)
    assert "waiting to be sent" not in client.get("/admin/").get_data(as_text=True)
    real_mail.stop()
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.commit()
    deliver()
    page = client.get("/admin/").get_data(as_text=True)
    assert "<strong>1</strong> email waiting to be sent" in page


def test_in_development_a_page_never_fails_for_its_mail(app, note_template, real_mail):
    app.config["MAIL_SEND_AT_ONCE"] = True
    real_mail.stop()

    assert _a_page_that_sends_a_note(app, note_template).status_code == 200
    assert delivery.status()["waiting"] == 1  # still in the outbox for `flask mail send`


def test_in_development_a_mail_setting_that_is_wrong_does_not_fail_the_page(app, note_template):
    from flask_mailman import Mail

    app.config.update(MAIL_SEND_AT_ONCE=True, MAIL_BACKEND="no.such.backend")
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)

    assert _a_page_that_sends_a_note(app, note_template).status_code == 200
    assert delivery.status()["waiting"] == 1


def test_a_mail_backend_that_does_not_exist_is_reported_and_the_messages_wait(app, note_template):
    from flask_mailman import Mail

    app.config["MAIL_BACKEND"] = "no.such.backend"
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)
    mail.queue("note", "a@example.org", note_template, name="x")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1
    assert "Unable to import backend: no.such.backend" in result.output
    assert delivery.status()["waiting"] == 1
