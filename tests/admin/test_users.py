"""Managing accounts as an admin: granting and removing rights and memberships is audited."""


from sqlalchemy import select

from directory.extensions import db
from directory.models import AuditEvent, User
from tests.accounts_helpers import make_user, page, signed_in


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_permission_changes_are_audited(app, make):
    org = make.organisation("Clinic Trust")
    admin = make_user(make, "admin@example.org", is_admin=True)
    editor = make_user(make, "sam@example.org", organisations=[org])
    client = signed_in(app.test_client(), admin)
    client.post(f"/admin/users/{editor.id}/admin", data={"admin": "1"})
    client.post(f"/admin/users/{editor.id}/admin", data={"admin": "0"})
    client.post(f"/admin/organisations/{org.id}/members/{editor.id}/remove")
    client.post(f"/admin/users/{editor.id}/active", data={"active": "0"})
    assert _actions()[-4:] == ["admin-granted", "admin-removed", "membership-removed", "account-disabled"]
    db.session.expire_all()
    assert not editor.is_active and editor.memberships == []
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "Admin rights granted" in audit_page and "sam@example.org" in audit_page
    # An admin cannot lock themselves out.
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert db.session.get(User, admin.id).is_active



def test_set_password_links_use_the_configured_address_not_the_requests_host(app, make):
    app.config["DIRECTORY_BASE_URL"] = "https://directory.example.org"
    org = make.organisation("Clinic Trust")
    admin = make_user(make, "admin@example.org", is_admin=True)
    editor = make_user(make, "sam@example.org", organisations=[org])
    client = signed_in(app.test_client(), admin)
    forged = {"Host": "evil.example"}
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")

    reset = page(client.post(f"/admin/users/{editor.id}/reset", headers=forged))
    link = reset.select_one("#reset-link")["value"]
    assert link.startswith("https://directory.example.org/account/set-password/"), link

    invited = client.post(
        f"/admin/organisations/{org.id}/invite", data={"email": "new@example.org"}, headers=forged
    )
    assert "evil.example" not in invited.get_data(as_text=True)
    assert "https://directory.example.org/account/set-password/" in invited.get_data(as_text=True)
