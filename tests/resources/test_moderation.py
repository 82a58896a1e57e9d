"""Resource proposals go through the generic content moderation: revisions, review, history."""

import pytest

from directory.extensions import db
from directory.models import ContentStatus, Resource, RevisionStatus
from directory.moderation import content
from directory.resources import catalogue
from tests.resources.helpers import join_network, propose_resource, published_resource, resource_snapshot


def test_a_members_proposal_creates_an_unpublished_resource_waiting_for_review(network):
    revision = propose_resource(network)
    resource = db.session.get(Resource, revision.item_id)
    assert resource.id == "safer-partying-card"  # its address is made from its name
    assert resource.status == ContentStatus.PENDING and resource not in catalogue.published()
    assert (revision.kind, revision.number, revision.action) == ("resource", 1, "proposal")
    assert revision.status == RevisionStatus.PENDING and revision.organisation_id == network.org_a.id
    assert content.pending(["resource"]) == [revision]


def test_approving_publishes_it_with_what_was_proposed(network):
    revision = propose_resource(network, stage_ids=[], service_ids=[network.service_a.id])
    resource = content.approve(revision, admin=network.admin, note="Checked")
    db.session.commit()
    assert resource.is_published and resource in catalogue.published()
    assert [s.name for s in resource.services] == ["A's clinic"]
    assert catalogue.take(resource) == revision.snapshot
    assert revision.status == RevisionStatus.PUBLISHED and revision.reviewed_by_id == network.admin.id


def test_a_change_waits_for_review_and_the_public_page_stays_as_it_is(network, app):
    resource = published_resource(network)
    revision = content.propose(
        catalogue.KIND, resource, {**catalogue.take(resource), "name": "Safer partying card (2027)"},
        author=network.editor_a, organisation_id=network.org_a.id, reason="New edition",
    )
    db.session.commit()
    assert (revision.action, revision.number) == ("edit", 2)
    page = app.test_client().get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "Safer partying card (2027)" not in page
    content.approve(revision, admin=network.admin)
    db.session.commit()
    assert resource.name == "Safer partying card (2027)" and resource.id == "safer-partying-card"
    history = content.history(catalogue.KIND, resource.id)
    assert [(r.number, r.action, r.status) for r in history] == [
        (1, "admin", "published"), (2, "edit", "published")
    ]


def test_rejecting_needs_a_reason_and_leaves_a_new_resource_unpublished(network):
    revision = propose_resource(network)
    with pytest.raises(content.ModerationError, match="Say why"):
        content.reject(revision, admin=network.admin, note="  ")
    content.reject(revision, admin=network.admin, note="We need a source for the dosing advice.")
    db.session.commit()
    resource = db.session.get(Resource, revision.item_id)
    assert resource.status == ContentStatus.REJECTED and not resource.is_published
    assert revision.review_note == "We need a source for the dosing advice."


def test_the_proposer_can_withdraw_before_review(network):
    revision = propose_resource(network)
    content.withdraw(revision, author=network.editor_a)
    db.session.commit()
    assert revision.status == RevisionStatus.WITHDRAWN
    assert db.session.get(Resource, revision.item_id).status == ContentStatus.WITHDRAWN


def test_an_editor_outside_the_network_cannot_propose(network):
    with pytest.raises(content.ModerationError, match="network member"):
        content.propose(
            catalogue.KIND, None, resource_snapshot(network.org_b), author=network.editor_b,
            organisation_id=network.org_b.id,
        )


def test_an_editor_cannot_change_another_organisations_resource(network):
    join_network(network.org_b)
    resource = published_resource(network)
    with pytest.raises(content.ModerationError, match="another organisation"):
        content.propose(
            catalogue.KIND, resource, resource_snapshot(network.org_b, name="Taken over"),
            author=network.editor_b, organisation_id=network.org_b.id,
        )


def test_a_proposal_that_changes_nothing_is_refused(network):
    resource = published_resource(network)
    with pytest.raises(content.NothingChanged):
        content.propose(
            catalogue.KIND, resource, catalogue.take(resource), author=network.editor_a,
            organisation_id=network.org_a.id,
        )


def test_two_resources_with_one_name_get_two_addresses(network):
    first = published_resource(network)
    second = published_resource(network)
    assert (first.id, second.id) == ("safer-partying-card", "safer-partying-card-2")
    long = published_resource(network, name="A very long name for a harm-reduction resource, in many words")
    assert len(long.id) <= 36 and long.id.startswith("a-very-long-name")


def test_the_review_pages_describe_the_fields_in_words(network):
    revision = propose_resource(network, service_ids=[network.service_a.id], format="booklet")
    shown = {label: proposed for label, _, proposed in content.changed_fields(revision)}
    assert shown["Format"] == "Booklet or leaflet"
    assert shown["Listed services that hand it out"] == "A's clinic"
    assert shown["Kept up to date by"] == "Agency A"
    assert shown["Last checked"] == "30 November 2026"
