"""Safe editing: no "Still accurate" while a change waits, shared addresses say so, rejections show on the
service page, and restoring an old version asks first."""

from sqlalchemy import select

from directory import listing, moderation, revisions
from directory.extensions import db
from directory.models import Location, Revision, RevisionStatus, ServiceAtLocation
from directory.moderation.confirming import WAITING_FOR_REVIEW
from tests.accounts_helpers import form_values, page, signed_in
from tests.accounts_helpers import propose_edit as _propose


def _verify_forms(response):
    return [f for f in page(response).select("form") if f.get("action", "").endswith("/verify")]


# --- "Still accurate" waits for the review ------------------------------------------------------


def test_still_accurate_is_not_offered_while_a_change_waits_for_review_and_says_why(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    waiting = client.get(f"/agency/services/{world.service_a.id}")
    assert _verify_forms(waiting) == []
    assert page(waiting).select_one("#confirm-refused").get_text(strip=True) == WAITING_FOR_REVIEW
    # An admin, who would say how they checked, is not offered it either.
    admin = signed_in(app.test_client(), world.admin)
    assert _verify_forms(admin.get(f"/agency/services/{world.service_a.id}")) == []
    # B's clinic has nothing waiting: it offers the button and no such message.
    editor_b = signed_in(app.test_client(), world.editor_b)
    free = editor_b.get(f"/agency/services/{world.service_b.id}")
    assert len(_verify_forms(free)) == 1 and page(free).select_one("#confirm-refused") is None


def test_confirming_anyway_while_a_change_waits_is_refused_with_the_reason(app, world):
    client = signed_in(app.test_client(), world.editor_a)
    response = client.post(f"/agency/services/{world.service_a.id}/verify", follow_redirects=True)
    assert WAITING_FOR_REVIEW in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.service_a.verified_at is None


def test_once_the_change_is_published_the_listing_can_be_confirmed_again(app, world):
    moderation.approve(world.pending, world.admin)
    db.session.commit()
    client = signed_in(app.test_client(), world.editor_a)
    assert len(_verify_forms(client.get(f"/agency/services/{world.service_a.id}"))) == 1
    client.post(f"/agency/services/{world.service_a.id}/verify")
    db.session.expire_all()
    assert world.service_a.verified_at is not None and world.service_a.verified_by_id == world.editor_a.id


# --- Shared addresses ---------------------------------------------------------------------------


def _share(make, world):
    """B's clinic also runs at A's clinic's address (one Location row, two listings)."""
    world.pending.status = RevisionStatus.WITHDRAWN
    shared = world.service_a.service_at_locations[0].location
    other = make.service("Evening clinic", organisation=world.org_b, commit=False)
    other.service_at_locations = [ServiceAtLocation(location=shared)]
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    return shared, other


def test_the_edit_form_says_which_other_listings_use_a_shared_address(app, make, world):
    shared, other = _share(make, world)
    client = signed_in(app.test_client(), world.editor_a)
    edit = page(client.get(f"/agency/services/{world.service_a.id}/edit"))
    warning = edit.select_one("#locations-0-id-shared")
    assert warning is not None
    assert "This address is also used by Evening clinic: changing it here changes it there too." in (
        " ".join(warning.get_text().split())
    )
    # The warning sits in the location it is about.
    address = edit.select_one("#locations-0-address_1")
    assert warning.find_parent("fieldset") is address.find_parent("fieldset")
    # B's clinic has an address of its own: no warning there.
    editor_b = signed_in(app.test_client(), world.editor_b)
    assert page(editor_b.get(f"/agency/services/{world.service_b.id}/edit")).select(".shared-location") == []


def test_an_approved_edit_of_a_shared_address_changes_the_other_listing_too(app, make, world):
    """The warning is true: the address is one row, so the other listing changes with it."""
    shared, other = _share(make, world)
    other_version = other.version
    client = signed_in(app.test_client(), world.editor_a)
    url = f"/agency/services/{world.service_a.id}/edit"
    form = form_values(client.get(url), submit="save")
    form.setlist("locations-0-address_1", ["2 New Street"])
    assert client.post(url, data=form).status_code == 302  # the warning does not stop the save
    revision = moderation.latest_pending_edit(world.service_a)
    assert revision is not None
    db.session.expire_all()
    assert db.session.get(Location, shared.id).address_1 == "1 Test Street"  # nothing until approved

    moderation.approve(revision, world.admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Location, shared.id).address_1 == "2 New Street"
    assert listing.take(other)["locations"][0]["address_1"] == "2 New Street"
    # The other listing's history records the change as a version of its own.
    assert other.version == other_version + 1
    latest = revisions.latest_published(other.id)
    assert latest.snapshot["locations"][0]["address_1"] == "2 New Street"


# --- Rejections on the service page -------------------------------------------------------------


def test_the_latest_rejection_and_its_reason_show_on_the_service_page(app, world):
    moderation.reject(world.pending, world.admin, "The new name is not what the clinic is called.")
    db.session.commit()
    client = signed_in(app.test_client(), world.editor_a)
    shown = page(client.get(f"/agency/services/{world.service_a.id}"))
    panel = shown.select_one("section[aria-labelledby=rejected-title]")
    when = world.pending.created_at.strftime("%-d %B %Y")
    assert panel.h2.get_text(strip=True) == f"Your change of {when} was not published"
    assert "The new name is not what the clinic is called." in panel.select_one("blockquote").get_text()
    # The dashboard flags it too.
    assert "Change rejected" in page(client.get("/agency/")).get_text()


def test_a_rejection_stops_showing_once_a_later_change_is_published(app, world):
    moderation.reject(world.pending, world.admin, "Not the clinic's name.")
    moderation.approve(_propose(world.service_a, world.editor_a, alert="Closed on Fridays"), world.admin)
    db.session.commit()
    client = signed_in(app.test_client(), world.editor_a)
    shown = page(client.get(f"/agency/services/{world.service_a.id}"))
    assert shown.select_one("#rejected-title") is None


# --- Restore asks first -------------------------------------------------------------------------


def _two_versions(world):
    """A's clinic with a second published version (an alert added), and its first version to restore."""
    world.pending.status = RevisionStatus.WITHDRAWN
    first = revisions.latest_published(world.service_a.id)
    with revisions.recording(kind="edit", author=world.admin, reason="New alert"):
        world.service_a.alert = "Closed on Fridays"
        db.session.flush()
    db.session.commit()
    return first


def _restore_url(world, revision):
    return f"/admin/services/{world.service_a.id}/restore/{revision.id}"


def _count_revisions(world):
    return len(db.session.scalars(select(Revision).where(Revision.service_id == world.service_a.id)).all())


def test_the_restore_button_shows_what_will_change_and_restores_nothing(app, world):
    first = _two_versions(world)
    before = _count_revisions(world)
    admin = signed_in(app.test_client(), world.admin)
    history = admin.get(f"/agency/services/{world.service_a.id}/history")
    form = page(history).select_one("form.restore-form")
    asked = admin.post(form["action"], data=form_values(history, "form.restore-form"))
    assert asked.status_code == 200
    shown = page(asked)
    assert shown.h1.get_text(strip=True) == f"Restore revision {first.number} of A's clinic?"
    diff = shown.select_one("table.diff")
    assert "Alert" in diff.get_text() and "Closed on Fridays" in diff.select_one("del").get_text()
    db.session.expire_all()
    assert world.service_a.alert == "Closed on Fridays" and _count_revisions(world) == before


def test_confirming_the_restore_publishes_that_version_with_the_reason(app, world):
    first = _two_versions(world)
    admin = signed_in(app.test_client(), world.admin)
    asked = admin.post(_restore_url(world, first), data={"reason": "The alert was a mistake"})
    confirm = form_values(asked, "form.narrow")
    assert confirm.get("confirm") == "yes" and confirm.get("reason").strip() == "The alert was a mistake"
    assert admin.post(_restore_url(world, first), data=confirm).status_code == 302
    db.session.expire_all()
    assert world.service_a.alert == ""
    latest = revisions.history(world.service_a)[0]
    assert (latest.kind, latest.reason) == ("restore", "The alert was a mistake")


def test_a_bad_reason_on_the_confirmation_step_is_refused_beside_it_and_restores_nothing(app, world):
    first = _two_versions(world)
    admin = signed_in(app.test_client(), world.admin)
    response = admin.post(_restore_url(world, first), data={"reason": "Back\x1b", "confirm": "yes"})
    assert response.status_code == 400
    assert "control character" in page(response).select_one("#reason-error").get_text()
    assert page(response).select_one("table.diff") is not None  # still the confirmation step
    db.session.expire_all()
    assert world.service_a.alert == "Closed on Fridays"


def test_a_version_the_listing_already_matches_offers_nothing_to_confirm(app, world):
    first = _two_versions(world)
    moderation.restore(world.service_a, first, world.admin)
    db.session.commit()
    admin = signed_in(app.test_client(), world.admin)
    shown = page(admin.post(_restore_url(world, first), data={}))
    assert "there is nothing to restore" in shown.get_text()
    assert shown.select("form.narrow") == []
