"""An agency's side of moderation: proposals replacing each other, its dashboard, editors of two agencies."""

from datetime import timedelta

import pytest

from directory import listing, moderation
from directory.extensions import db
from directory.models import ProblemReport, RevisionStatus
from directory.models.base import utcnow
from tests.accounts_helpers import make_user, page, signed_in
from tests.accounts_helpers import propose_edit as _propose


def test_a_newer_proposal_replaces_the_older_one(app, world):
    newer = _propose(world.service_a, world.editor_a, alert="Closed Friday")
    db.session.refresh(world.pending)
    assert world.pending.status == RevisionStatus.WITHDRAWN
    assert [r.id for r in moderation.pending_revisions(world.service_a)] == [newer.id]


def test_putting_the_listing_back_as_it_was_withdraws_the_pending_change(app, world):
    with pytest.raises(moderation.NothingChanged):
        moderation.propose_change(
            world.service_a,
            listing.take(world.service_a),
            world.editor_a,
            base_version=world.service_a.version,
            base_pending_id=world.pending.id,
        )
    assert world.pending.status == RevisionStatus.WITHDRAWN


def test_the_agency_dashboard_puts_the_most_urgent_first(app, make, world):
    fresh = make.service("Checked last week", organisation=world.org_a)
    fresh.verified_at = utcnow() - timedelta(days=7)
    reported = make.service("Has a report", organisation=world.org_a)
    reported.verified_at = utcnow() - timedelta(days=7)
    db.session.add(ProblemReport(service_id=reported.id, category="closed", message="Shut"))
    old = make.service("Checked long ago", organisation=world.org_a)
    old.verified_at = utcnow() - timedelta(days=400)
    db.session.commit()
    states = moderation.listing_states(moderation.agency_services(world.editor_a))
    names = [s.service.name for s in states]
    assert names.index("Checked long ago") < names.index("Has a report") < names.index("Checked last week")
    assert names[-1] == "Checked last week"
    assert {s.service.name for s in states if s.stale} == {"A's clinic", "Checked long ago"}
    client = signed_in(app.test_client(), world.editor_a)
    rows = page(client.get("/agency/")).select("table.listing-table tbody tr")
    assert [r.th.a.get_text() for r in rows] == names
    assert "Needs checking" in rows[0].get_text()


def test_a_member_of_two_agencies_edits_both(app, make, world):
    both = make_user(make, "both@example.org", organisations=[world.org_a, world.org_b])
    client = signed_in(app.test_client(), both)
    text = client.get("/agency/").get_data(as_text=True)
    assert "A&#39;s clinic" in text and "B&#39;s clinic" in text
    assert client.get(f"/agency/services/{world.service_b.id}/edit").status_code == 200


def test_an_editors_dashboard_shows_how_fresh_their_own_listings_are(client, world):
    world.service_a.verified_at = utcnow() - timedelta(days=3)
    db.session.commit()
    signed_in(client, world.editor_b)
    soup = page(client.get("/agency/"))
    summary = soup.select_one("section.freshness-summary")
    assert summary is not None
    # Only Agency B's listing counts: never verified, so 0% fresh and it is the stalest.
    assert "0%" in summary.select_one(".summary").get_text()
    stalest = [th.get_text(strip=True) for th in summary.select(".stalest-table tbody th")]
    assert stalest == ["B's clinic"]
    assert "A's clinic" not in summary.get_text()



@pytest.fixture
def colleague(make, world):
    """A second editor of agency A, who did not propose the world's pending change."""
    return make_user(make, "colleague-a@example.org", organisations=[world.org_a])


def test_a_colleague_cannot_withdraw_an_editors_proposal(app, world, colleague):
    with pytest.raises(moderation.ModerationError, match="editor-a@example.org.* or an admin"):
        moderation.withdraw(world.pending, colleague)
    assert world.pending.status == RevisionStatus.PENDING


def test_a_colleague_sees_no_withdraw_button_and_a_forged_one_is_refused(app, world, colleague):
    client = signed_in(app.test_client(), colleague)
    doc = page(client.get(f"/agency/services/{world.service_a.id}"))
    assert not doc.select(f"form[action='/agency/revisions/{world.pending.id}/withdraw']")
    assert "Only editor-a@example.org or an admin can withdraw this change" in doc.get_text(" ")
    response = client.post(f"/agency/revisions/{world.pending.id}/withdraw", follow_redirects=True)
    assert "or an admin can withdraw it" in page(response).select_one(".flashes").get_text()
    db.session.refresh(world.pending)
    assert world.pending.status == RevisionStatus.PENDING


@pytest.mark.parametrize("who", ["editor_a", "admin"])
def test_the_author_or_an_admin_can_withdraw_a_proposal(app, world, who):
    client = signed_in(app.test_client(), getattr(world, who))
    doc = page(client.get(f"/agency/services/{world.service_a.id}"))
    assert doc.select(f"form[action='/agency/revisions/{world.pending.id}/withdraw']")
    client.post(f"/agency/revisions/{world.pending.id}/withdraw")
    db.session.refresh(world.pending)
    assert world.pending.status == RevisionStatus.WITHDRAWN
