"""An admin's invitation and reset link are emailed (real SMTP on loopback) and still shown to copy."""

from sqlalchemy import select

from directory.extensions import db
from directory.models import OutboxMessage, User
from tests.accounts_helpers import error_for, make_user, page, signed_in
from tests.mail_server import deliver, html_of, links_in, path_of, text_of

NEW_PASSWORD = "kettle lantern harbour moss"


def _set_password_links(message):
    return [url for url in links_in(message) if "/set-password/" in url]


def test_an_invitation_is_emailed_with_the_same_link_the_page_shows(app, make, real_mail):
    organisation = make.organisation("Agency A")
    admin = make_user(make, "admin@example.org", is_admin=True)
    admin.name = "Alex Admin"
    db.session.commit()
    admin_client = signed_in(app.test_client(), admin)

    shown = page(
        admin_client.post(
            f"/admin/organisations/{organisation.id}/invite", data={"email": "Sam@Example.org", "name": "Sam"}
        )
    )
    shown_link = shown.select_one("#invite-link")["value"]
    assert "Invitation emailed to sam@example.org" in shown.get_text()

    assert deliver().sent == 1
    [message] = real_mail.to("sam@example.org")
    assert message["Subject"] == "You are invited to keep Agency A's listings up to date"
    text = text_of(message)
    assert text.startswith("Hello Sam,")
    assert "Alex Admin (admin@example.org) has made you an editor of Agency A" in text
    assert f"within {app.config['INVITATION_TTL_HOURS']} hours" in text
    assert (
        "propose changes to Agency A's listings" in text
        and "confirm that a listing is still accurate" in text
    )
    assert "invited you to edit Agency A's listings" in text, "the footer says why they got it"
    assert _set_password_links(message) == [shown_link]
    html = html_of(message)
    assert f'href="{shown_link}"' in html
    assert "<li>confirm that a listing is still accurate, in one click</li>" in html

    invitee = app.test_client()
    done = invitee.post(path_of(shown_link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/agency/")
    assert invitee.get("/agency/").status_code == 200, "signed in as the new editor"
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert sam.organisation_ids == {organisation.id}


def test_inviting_someone_who_has_a_password_says_they_can_sign_in_as_usual(app, make, real_mail):
    make_user(make, "sam@example.org", organisations=[make.organisation("Agency A")])
    agency_b = make.organisation("Agency B")
    admin_client = signed_in(app.test_client(), make_user(make, "admin@example.org", is_admin=True))
    admin_client.post(f"/admin/organisations/{agency_b.id}/invite", data={"email": "sam@example.org"})
    deliver()
    text = text_of(real_mail.to("sam@example.org")[0])
    assert "You already have an account, so you can sign in as usual" in text
    assert "http://localhost/account/sign-in" in text


def test_a_refused_invitation_sends_nothing(app, make, real_mail):
    organisation = make.organisation("Agency A")
    make_user(make, "gone@example.org").is_active = False
    db.session.commit()
    admin_client = signed_in(app.test_client(), make_user(make, "admin@example.org", is_admin=True))
    refused = admin_client.post(
        f"/admin/organisations/{organisation.id}/invite", data={"email": "gone@example.org"}
    )
    assert refused.status_code == 400
    assert "switched off" in error_for(page(refused), "email")
    assert db.session.scalar(select(OutboxMessage)) is None
    assert deliver().sent == 0 and real_mail.messages == []


def test_an_admins_reset_link_is_emailed_and_shown(app, make, real_mail):
    sam = make_user(make, "sam@example.org", organisations=[make.organisation()])
    admin_client = signed_in(app.test_client(), make_user(make, "admin@example.org", is_admin=True))
    shown = page(admin_client.post(f"/admin/users/{sam.id}/reset"))
    shown_link = shown.select_one("#reset-link")["value"]
    assert "Link emailed to sam@example.org" in shown.get_text()

    deliver()
    [message] = real_mail.to("sam@example.org")
    text = text_of(message)
    assert "admin@example.org, a directory admin, has issued a link" in text
    assert f"within {app.config['INVITATION_TTL_HOURS']} hours" in text
    assert _set_password_links(message) == [shown_link]
    assert app.test_client().get(path_of(shown_link)).status_code == 200


def test_a_reset_link_for_a_switched_off_account_is_refused_and_not_sent(app, make, real_mail):
    gone = make_user(make, "gone@example.org")
    gone.is_active = False
    db.session.commit()
    admin_client = signed_in(app.test_client(), make_user(make, "admin@example.org", is_admin=True))
    refused = admin_client.post(f"/admin/users/{gone.id}/reset", follow_redirects=True)
    assert "switched off" in refused.get_data(as_text=True)
    assert deliver().sent == 0 and real_mail.messages == []
