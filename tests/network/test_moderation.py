"""The moderation of network content, through events: propose, approve, reject, withdraw, history."""

import pytest

from directory.extensions import db
from directory.models import ContentRevision, ContentStatus, Event, RevisionStatus
from directory.moderation import content
from directory.network import events
from tests.accounts_helpers import make_user
from tests.network.helpers import event_snapshot, propose_event, published_event


def test_a_members_proposal_creates_an_unpublished_event_waiting_for_review(network):
    revision = propose_event(network)
    event = db.session.get(Event, revision.item_id)
    assert event.status == ContentStatus.PENDING
    assert (revision.number, revision.action, revision.status) == (1, "proposal", RevisionStatus.PENDING)
    assert revision.organisation_id == network.org_a.id
    assert event not in events.published()
    assert content.pending() == [revision]


def test_an_editor_of_an_organisation_outside_the_network_cannot_propose(network):
    with pytest.raises(content.ModerationError, match="network member"):
        content.propose(
            events.KIND,
            None,
            event_snapshot(network.org_b),
            author=network.editor_b,
            organisation_id=network.org_b.id,
        )


def test_an_editor_cannot_propose_in_another_organisations_name(network):
    with pytest.raises(content.ModerationError):
        content.propose(
            events.KIND,
            None,
            event_snapshot(network.org_a),
            author=network.editor_b,
            organisation_id=network.org_a.id,
        )


def test_an_editor_cannot_propose_a_change_to_another_organisations_event(network, make):
    from tests.network.helpers import join_network

    join_network(network.org_b)
    event = published_event(network)
    with pytest.raises(content.ModerationError, match="another organisation"):
        content.propose(
            events.KIND,
            event,
            event_snapshot(network.org_b, title="Taken over"),
            author=network.editor_b,
            organisation_id=network.org_b.id,
        )


def test_approving_publishes_the_event_and_the_revision(network):
    revision = propose_event(network)
    event = content.approve(revision, admin=network.admin, note="Thanks")
    db.session.commit()
    assert event.status == ContentStatus.PUBLISHED
    assert revision.status == RevisionStatus.PUBLISHED
    assert revision.reviewed_by_id == network.admin.id
    assert events.published() == [event]
    assert content.pending() == []


def test_only_admins_review(network):
    revision = propose_event(network)
    with pytest.raises(content.ModerationError, match="admin"):
        content.approve(revision, admin=network.editor_a)
    with pytest.raises(content.ModerationError, match="admin"):
        content.reject(revision, admin=network.editor_a, note="No")


def test_rejecting_needs_a_reason_which_the_proposer_sees(network):
    revision = propose_event(network)
    with pytest.raises(content.ModerationError, match="why"):
        content.reject(revision, admin=network.admin, note="  ")
    content.reject(revision, admin=network.admin, note="Please add the venue's address")
    db.session.commit()
    assert revision.status == RevisionStatus.REJECTED
    assert db.session.get(Event, revision.item_id).status == ContentStatus.REJECTED
    assert content.proposals_of(network.editor_a.organisation_ids)[0].review_note == (
        "Please add the venue's address"
    )
    with pytest.raises(content.ModerationError, match="already"):
        content.approve(revision, admin=network.admin)


def test_withdrawing_is_for_the_proposing_organisation_only(network, make):
    revision = propose_event(network)
    with pytest.raises(content.ModerationError):
        content.withdraw(revision, author=network.editor_b)
    colleague = make_user(make, "colleague-a@example.org", organisations=[network.org_a])
    content.withdraw(revision, author=colleague)
    db.session.commit()
    assert revision.status == RevisionStatus.WITHDRAWN
    assert db.session.get(Event, revision.item_id).status == ContentStatus.WITHDRAWN
    with pytest.raises(content.ModerationError, match="waiting"):
        content.withdraw(revision, author=network.editor_a)


def test_a_change_to_a_published_event_waits_and_the_public_sees_the_old_one(network):
    event = published_event(network, title="Old title")
    revision = content.propose(
        events.KIND,
        event,
        event_snapshot(network.org_a, title="New title"),
        author=network.editor_a,
        organisation_id=network.org_a.id,
    )
    db.session.commit()
    assert (revision.action, revision.number) == ("edit", 2)
    assert db.session.get(Event, event.id).title == "Old title"
    labels = {label: (now, proposed) for label, now, proposed in content.changed_fields(revision)}
    assert labels["Title"] == ("Old title", "New title")
    assert labels["Place"][0] == labels["Place"][1]
    content.approve(revision, admin=network.admin)
    db.session.commit()
    assert db.session.get(Event, event.id).title == "New title"


def test_proposing_the_event_as_it_is_is_refused(network):
    event = published_event(network)
    with pytest.raises(content.NothingChanged):
        content.propose(
            events.KIND, event, events.take(event), author=network.editor_a, organisation_id=network.org_a.id
        )


def test_a_newer_proposal_replaces_the_older_one(network):
    event = published_event(network)
    first = content.propose(
        events.KIND,
        event,
        event_snapshot(network.org_a, title="One"),
        author=network.editor_a,
        organisation_id=network.org_a.id,
    )
    second = content.propose(
        events.KIND,
        event,
        event_snapshot(network.org_a, title="Two"),
        author=network.editor_a,
        organisation_id=network.org_a.id,
    )
    db.session.commit()
    assert first.status == RevisionStatus.WITHDRAWN
    assert content.pending() == [second]


def test_a_proposal_overtaken_by_an_admins_change_cannot_be_approved(network):
    event = published_event(network)
    stale = content.propose(
        events.KIND,
        event,
        event_snapshot(network.org_a, title="From the agency"),
        author=network.editor_a,
        organisation_id=network.org_a.id,
    )
    content.publish_directly(
        events.KIND, event, event_snapshot(network.org_a, title="From the admin"), admin=network.admin
    )
    db.session.commit()
    with pytest.raises(content.ModerationError, match="changed since"):
        content.approve(stale, admin=network.admin)
    assert db.session.get(Event, event.id).title == "From the admin"


def test_every_change_is_a_numbered_revision_in_the_history(network):
    revision = propose_event(network)
    event = content.approve(revision, admin=network.admin)
    content.publish_directly(
        events.KIND, event, event_snapshot(network.org_a, title="Renamed"), admin=network.admin, reason="Typo"
    )
    db.session.commit()
    history = content.history(events.KIND, event.id)
    assert [(r.number, r.action, r.status) for r in history] == [
        (1, "proposal", RevisionStatus.PUBLISHED),
        (2, "admin", RevisionStatus.PUBLISHED),
    ]
    assert history[1].reason == "Typo"
    assert db.session.query(ContentRevision).count() == 2


def test_only_admins_publish_without_review(network):
    with pytest.raises(content.ModerationError, match="admin"):
        content.publish_directly(events.KIND, None, event_snapshot(network.org_a), admin=network.editor_a)


def test_an_admin_may_propose_for_a_member_but_not_for_an_organisation_outside_the_network(network):
    revision = content.propose(
        events.KIND,
        None,
        event_snapshot(network.org_a),
        author=network.admin,
        organisation_id=network.org_a.id,
    )
    assert revision.status == RevisionStatus.PENDING
    with pytest.raises(content.ModerationError, match="network member"):
        content.propose(
            events.KIND,
            None,
            event_snapshot(network.org_b),
            author=network.admin,
            organisation_id=network.org_b.id,
        )
