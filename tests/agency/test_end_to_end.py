"""The whole loop: invite → set password → propose (with a mistake) → review → publish → history → restore."""

from sqlalchemy import select

from directory import search
from directory.extensions import db
from directory.models import AuditEvent, IndexChange, Revision, RevisionStatus, Service
from tests.accounts_helpers import error_for, form_values, page, sign_in


def test_invite_edit_review_publish_and_restore(app, make):
    admin = make.user("admin@example.org", is_admin=True)
    admin_client = app.test_client()
    assert sign_in(admin_client, admin).status_code == 302

    # The admin creates the agency, and its existing listing is attached to it.
    created = admin_client.post("/admin/organisations", data={"name": "South London Chemsex Project"})
    assert created.status_code == 302
    from directory.models import Organisation

    org = db.session.scalar(select(Organisation).where(Organisation.name == "South London Chemsex Project"))
    service = make.service(
        "Tuesday chemsex clinic",
        organisation=org,
        postcode="SW9 8BS",
        types=("chemsex-support",),
        hours=[(1, "18:00", "21:00")],
    )
    service_id, old_name = service.id, service.name

    # Invite: the page shows the single-use link to copy, and says it was emailed too.
    invited = admin_client.post(f"/admin/organisations/{org.id}/invite", data={"email": "Sam@Example.org"})
    assert invited.status_code == 200
    soup = page(invited)
    link = soup.select_one("#invite-link")["value"]
    assert "/account/set-password/" in link
    assert "has emailed them this link" in soup.get_text()

    # The editor sets a password from the link (a weak one first) and is signed in.
    editor = app.test_client()
    path = link.split("localhost", 1)[1]
    weak = editor.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert "too common" in error_for(page(weak), "password")
    done = editor.post(path, data={"password": "ward round biscuit tin", "confirm": "ward round biscuit tin"})
    assert done.status_code == 302 and done.location.endswith("/agency/")
    assert editor.get(path).status_code == 410, "the link works only once"
    dashboard = editor.get("/agency/")
    assert "Tuesday chemsex clinic" in dashboard.get_data(as_text=True)

    # The editor edits with one invalid field: the error is beside it and nothing typed is lost.
    form = form_values(editor.get(f"/agency/services/{service_id}/edit"), submit="save")
    form["name"] = "Tuesday evening chemsex clinic"
    form["phones-0-number"] = "12345"
    form["locations-0-sessions-0-closes_at"] = "21:30"
    form["reason"] = "New name and phone line"
    refused = editor.post(f"/agency/services/{service_id}/edit", data=form)
    assert refused.status_code == 200
    soup = page(refused)
    assert "UK phone number" in error_for(soup, "phones-0-number")
    assert soup.select_one("#phones-0-number")["value"] == "12345"
    assert soup.select_one("#name")["value"] == "Tuesday evening chemsex clinic"
    assert soup.select_one("#locations-0-sessions-0-closes_at")["value"] == "21:30"
    assert soup.select_one("#reason").text.strip() == "New name and phone line"
    assert db.session.scalars(select(Revision).where(Revision.status == RevisionStatus.PENDING)).all() == []

    # Fixed and sent: a pending revision; the published listing is untouched.
    form = form_values(refused, submit="save")
    form["phones-0-number"] = "020 7946 0000"
    sent = editor.post(f"/agency/services/{service_id}/edit", data=form)
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, service_id).name == old_name
    pending = db.session.scalar(select(Revision).where(Revision.status == RevisionStatus.PENDING))
    assert pending is not None and pending.snapshot["phones"] == [
        {"number": "020 7946 0000", "description": ""}
    ]
    assert "Waiting for review" in editor.get(f"/agency/services/{service_id}").get_data(as_text=True)

    # The admin sees it in the queue and a readable field-by-field diff, then approves.
    queue = admin_client.get("/admin/queue").get_data(as_text=True)
    assert "Tuesday chemsex clinic" in queue
    review = page(admin_client.get(f"/admin/revisions/{pending.id}"))
    rows = {row.th.get_text(strip=True): row.select("td") for row in review.select("table.diff tbody tr")}
    assert rows["Name"][0].get_text(strip=True) == old_name
    assert rows["Name"][1].get_text(strip=True) == "Tuesday evening chemsex clinic"
    assert rows["Phone numbers"][1].get_text(strip=True) == "020 7946 0000"
    hours_row = next(v for k, v in rows.items() if k.endswith("Opening times"))
    assert hours_row[0].get_text(strip=True) == "Tuesday 18:00–21:00"
    assert hours_row[1].get_text(strip=True) == "Tuesday 18:00–21:30"
    changes_before = db.session.scalar(select(IndexChange.seq).order_by(IndexChange.seq.desc()).limit(1))
    approved = admin_client.post(f"/admin/revisions/{pending.id}/approve", data={"note": "Thanks"})
    assert approved.status_code == 302

    # Published: the database, the change log, the public page and search all show the new name.
    db.session.expire_all()
    service = db.session.get(Service, service_id)
    assert service.name == "Tuesday evening chemsex clinic"
    assert [p.number for p in service.phones] == ["020 7946 0000"]
    assert (
        db.session.scalar(
            select(IndexChange).where(IndexChange.seq > changes_before, IndexChange.service_id == service_id)
        )
        is not None
    )
    public = admin_client.get(f"/services/{service_id}").get_data(as_text=True)
    assert "Tuesday evening chemsex clinic" in public
    names = [hit.listing.name for hit in search.search(search.SearchRequest(text="evening chemsex")).hits]
    assert "Tuesday evening chemsex clinic" in names

    # History shows both versions with who and why; restoring the old one is a new revision.
    history = page(admin_client.get(f"/agency/services/{service_id}/history"))
    entries = history.select("li.history-entry")
    assert len(entries) == 2
    assert "sam@example.org" in entries[0].get_text() and "New name and phone line" in entries[0].get_text()
    first = db.session.scalar(select(Revision).where(Revision.service_id == service_id, Revision.number == 1))
    # The first press only shows what the restore changes; confirming it publishes.
    asked = admin_client.post(f"/admin/services/{service_id}/restore/{first.id}", data={"reason": "Test"})
    assert asked.status_code == 200 and db.session.get(Service, service_id).name != old_name
    restored = admin_client.post(
        f"/admin/services/{service_id}/restore/{first.id}", data=form_values(asked, "form.narrow")
    )
    assert restored.status_code == 302
    db.session.expire_all()
    service = db.session.get(Service, service_id)
    assert service.name == old_name and service.phones == []
    history = page(admin_client.get(f"/agency/services/{service_id}/history"))
    assert len(history.select("li.history-entry")) == 3
    assert "Restore" in history.select_one("li.history-entry h2").get_text()
    assert old_name in [
        hit.listing.name for hit in search.search(search.SearchRequest(text="chemsex clinic")).hits
    ]

    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "sign-in",
        "invitation-issued",
        "password-set",
        "revision-proposed",
        "revision-approved",
        "revision-restored",
    } <= actions
