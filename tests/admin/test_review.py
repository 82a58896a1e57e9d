"""Reviewing without a browser: approval guards, rejections, the queue, readable diffs, reports, restore."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from directory import listing, moderation, revisions
from directory.extensions import db
from directory.models import AuditEvent, ProblemReport, Revision, RevisionStatus
from directory.models.base import utcnow
from tests.accounts_helpers import page, signed_in
from tests.accounts_helpers import propose_edit as _propose


def test_a_proposal_leaves_the_published_listing_alone_until_approved(app, world):
    world.pending.status = RevisionStatus.WITHDRAWN
    db.session.commit()
    version = world.service_a.version
    revision = _propose(world.service_a, world.editor_a, description="New words")
    assert revision.status == RevisionStatus.PENDING and revision.base_version == version
    db.session.expire_all()
    assert world.service_a.description == "" and world.service_a.version == version
    moderation.approve(revision, world.admin, "Looks right")
    assert world.service_a.description == "New words" and world.service_a.version == version + 1
    assert revision.status == RevisionStatus.PUBLISHED and revision.reviewed_by_id == world.admin.id
    assert revisions.latest_published(world.service_a.id) == revision


def test_an_out_of_date_proposal_cannot_be_approved(app, world):
    closure = moderation.request_closure(
        world.service_a, "temporarily closed", world.editor_a, "Refurbishment", world.service_a.version
    )
    # The closure withdrew the pending edit; another edit is proposed beside it, then the closure approved.
    edit = _propose(world.service_a, world.editor_a, alert="New alert")
    moderation.approve(closure, world.admin)
    assert world.service_a.status == "temporarily closed"
    assert moderation.is_out_of_date(edit)
    with pytest.raises(moderation.ModerationError, match="changed since this was proposed"):
        moderation.approve(edit, world.admin)
    with pytest.raises(moderation.ModerationError, match="already been reviewed"):
        moderation.approve(closure, world.admin)


def test_reject_needs_a_reason_and_is_audited(app, world):
    with pytest.raises(moderation.ModerationError, match="Say why"):
        moderation.reject(world.pending, world.admin, "  ")
    moderation.reject(world.pending, world.admin, "Phone number is the switchboard")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "revision-rejected"))
    assert event.actor_id == world.admin.id and event.detail["reason"] == "Phone number is the switchboard"


def test_the_queue_groups_by_service_oldest_first(app, make, world):
    other = make.service("Another clinic", organisation=world.org_b)
    later = _propose(other, world.editor_b, alert="Later")
    later.created_at = utcnow() + timedelta(minutes=5)
    closure = moderation.request_closure(
        world.service_b, "defunct", world.editor_b, "Gone", world.service_b.version
    )
    closure.created_at = utcnow() + timedelta(minutes=1)
    db.session.commit()
    groups = moderation.queue()
    assert [g.service.name for g in groups] == ["A's clinic", "B's clinic", "Another clinic"]
    client = signed_in(app.test_client(), world.admin)
    text = page(client.get("/admin/queue")).select_one("main").get_text()
    assert text.index("A's clinic") < text.index("B's clinic") < text.index("Another clinic")
    assert "Closed on Mondays now" in text, "public problem reports are in the queue too"


def test_the_admin_diff_uses_readable_labels(app, world):
    client = signed_in(app.test_client(), world.admin)
    data = {**listing.take(world.service_a), "catchment": "boroughs", "catchment_boroughs": ["lambeth"]}
    data["terms"] = {**data["terms"], "audience": ["gay-bi-msm", "lgbtq"]}
    revision = _propose(world.service_a, world.editor_a, **data)
    rows = {
        r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.select("td")]
        for r in page(client.get(f"/admin/revisions/{revision.id}")).select("table.diff tbody tr")
    }
    assert rows["Who may use it (by where they live)"] == [
        "Open to anyone",
        "Residents of named boroughs only",
    ]
    assert rows["Boroughs whose residents may use it"] == ["(blank)", "Lambeth"]
    assert rows["Who it is for"] == ["Everyone", "Gay, bi and other men who have sex with men, LGBTQ+ people"]


def test_reports_show_to_the_owning_agency_and_admins_resolve_them(app, world):
    editor = signed_in(app.test_client(), world.editor_a)
    assert "Closed on Mondays now" in editor.get(f"/agency/services/{world.service_a.id}").get_data(
        as_text=True
    )
    other = signed_in(app.test_client(), world.editor_b)
    assert "Closed on Mondays now" not in other.get("/agency/").get_data(as_text=True)
    admin = signed_in(app.test_client(), world.admin)
    assert (
        admin.post(f"/admin/reports/{world.report.id}/resolve", data={"note": "Hours fixed"}).status_code
        == 302
    )
    db.session.expire_all()
    report = db.session.get(ProblemReport, world.report.id)
    assert report.status == "resolved" and report.resolved_by_id == world.admin.id
    assert "Closed on Mondays now" not in admin.get("/admin/queue").get_data(as_text=True)


def test_history_lists_who_when_why_and_restore_makes_a_new_revision(app, world):
    world.pending.status = RevisionStatus.WITHDRAWN
    db.session.commit()
    first = revisions.latest_published(world.service_a.id)
    moderation.approve(_propose(world.service_a, world.editor_a, name="Renamed"), world.admin)
    moderation.restore(world.service_a, first, world.admin, "Rename was a mistake")
    entries = moderation.history(world.service_a)
    assert [(e.revision.kind, e.revision.status) for e in entries] == [
        ("restore", "published"),
        ("edit", "published"),
        ("edit", "withdrawn"),
        ("system", "published"),
    ]
    assert entries[0].revision.reason == "Rename was a mistake"
    assert [(c.label, c.before, c.after) for c in entries[0].changes] == [("Name", "Renamed", "A's clinic")]
    assert world.service_a.name == "A's clinic"
    with pytest.raises(moderation.NothingChanged):
        moderation.restore(world.service_a, first, world.admin)


def test_restore_of_a_listing_needs_an_admin_but_history_is_open_to_its_editors(app, world):
    first = revisions.latest_published(world.service_a.id)
    editor = signed_in(app.test_client(), world.editor_a)
    assert editor.get(f"/agency/services/{world.service_a.id}/history").status_code == 200
    assert editor.post(f"/admin/services/{world.service_a.id}/restore/{first.id}").status_code == 403


def test_a_revision_of_another_service_cannot_be_restored_onto_this_one(app, world):
    first_b = revisions.latest_published(world.service_b.id)
    with pytest.raises(moderation.ModerationError):
        moderation.restore(world.service_a, first_b, world.admin)
    admin = signed_in(app.test_client(), world.admin)
    admin.post(f"/admin/services/{world.service_a.id}/restore/{first_b.id}")
    assert db.session.get(Revision, first_b.id).service_id == world.service_b.id
    assert world.service_a.name == "A's clinic"



def _unstorable_proposal(world, **changes):
    """A pending change holding text the forms would refuse, stored directly as an old revision might be."""
    world.pending.snapshot = {**listing.take(world.service_a), **changes}
    db.session.commit()
    return world.pending


def test_a_proposal_holding_a_null_byte_is_not_published_and_can_still_be_rejected(app, world):
    revision = _unstorable_proposal(world, name="A's\x00clinic")
    client = signed_in(app.test_client(), world.admin)
    url = f"/admin/revisions/{revision.id}"
    response = client.post(f"{url}/approve", data={"note": ""}, follow_redirects=True)
    assert response.status_code == 200
    flashed = page(response).select_one(".flashes").get_text(" ", strip=True)
    assert "cannot be published: Name: Remove the hidden control character" in flashed
    assert "Reject it" in flashed
    db.session.expire_all()
    assert world.service_a.name == "A's clinic" and revision.status == RevisionStatus.PENDING
    response = client.post(f"{url}/reject", data={"reason": "Please retype the name"})
    assert response.status_code == 302
    db.session.expire_all()
    assert revision.status == RevisionStatus.REJECTED


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"name": "x" * 201}, "Name: Use at most 200 characters"),
        ({"phones": [{"number": "020\x007946 0000", "description": ""}]}, "Phone 1, number"),
    ],
)
def test_a_proposal_too_long_or_with_a_control_character_in_a_row_names_the_part(app, world, changes, named):
    revision = _unstorable_proposal(world, **changes)
    with pytest.raises(moderation.ModerationError, match=named):
        moderation.approve(revision, world.admin)


def test_a_location_note_holding_a_control_character_names_the_location(app, world):
    snapshot = listing.take(world.service_a)
    snapshot["locations"][0]["schedules"][0]["note"] = "walk\x1b-in"
    revision = _unstorable_proposal(world, locations=snapshot["locations"])
    with pytest.raises(moderation.ModerationError, match="Location 1, opening time 1 note"):
        moderation.approve(revision, world.admin)


def test_a_resolve_note_holding_a_control_character_is_refused_beside_it(app, world):
    client = signed_in(app.test_client(), world.admin)
    response = client.post(f"/admin/reports/{world.report.id}/resolve", data={"note": "Fixed\x00"})
    assert response.status_code == 400
    doc = page(response)
    assert "control character" in doc.select_one(f"#note-{world.report.id}-error").get_text()
    assert doc.select_one(f"#note-{world.report.id}")["aria-describedby"] == f"note-{world.report.id}-error"
    db.session.expire_all()
    assert world.report.status == "open"


def test_a_restore_reason_holding_a_control_character_is_refused_beside_it(app, world):
    first = revisions.latest_published(world.service_a.id)
    with revisions.recording(kind="edit", author=world.admin, reason="New alert"):
        world.service_a.alert = "Closed on Fridays"
        db.session.flush()
    db.session.commit()
    client = signed_in(app.test_client(), world.admin)
    response = client.post(
        f"/admin/services/{world.service_a.id}/restore/{first.id}", data={"reason": "Back\x1b to before"}
    )
    assert response.status_code == 400
    assert "control character" in page(response).select_one(f"#reason-{first.id}-error").get_text()
    db.session.expire_all()
    assert world.service_a.alert == "Closed on Fridays"
