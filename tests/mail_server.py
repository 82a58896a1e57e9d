"""A real SMTP server on loopback (aiosmtpd), started by the tests that send mail, and what it received.

`smtp_server` records every message it accepts; set `.refuse = True` to have it answer 550 to every
message, or call `.stop()` to take it down. `real_mail` points the app at it, so `flask mail send`
speaks SMTP to it as it would to a production relay.
"""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from flask_mailman import Mail

from directory.mail import delivery


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        if self.refuse:
            return "550 5.7.1 Message refused by the test server"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.recorder = Recorder()
        self.port = _free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.running = False

    @property
    def messages(self):
        return self.recorder.messages

    @property
    def refuse(self):
        return self.recorder.refuse

    @refuse.setter
    def refuse(self, value):
        self.recorder.refuse = value

    def start(self):
        self.controller.start()
        self.running = True

    def stop(self):
        if self.running:
            self.controller.stop()
            self.running = False

    def to(self, address: str) -> list:
        """Messages received for `address`."""
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def real_mail(app, smtp_server):
    """Point the app's mail at the loopback server; return the server."""
    return use_server(app, smtp_server)


def use_server(app, smtp_server):
    """Point `app`'s mail at the loopback server (for an app other than the `app` fixture's)."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_USE_TLS=False, MAIL_TIMEOUT=5)
    app.extensions["mailman"] = Mail.init_mail(app.config, app.testing)  # it reads its settings once
    return smtp_server


def deliver() -> delivery.DeliveryReport:
    """Run the outbox delivery as `flask mail send` does (inside the app context the tests hold)."""
    return delivery.send_waiting()


def text_of(message) -> str:
    """The plain-text part of a received message."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def html_of(message) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


def links_in(message) -> list[str]:
    """Every http(s) address in the plain-text part, in order."""
    return [url.rstrip(".,;)") for url in re.findall(r"https?://[^\s<>\"]+", text_of(message))]


def path_of(url: str, base_url: str = "http://localhost") -> str:
    """The path a link names on the site (tests' DIRECTORY_BASE_URL is the test client's own)."""
    assert url.startswith(base_url + "/"), f"{url} is not built on {base_url}"
    return url[len(base_url):]
