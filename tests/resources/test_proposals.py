"""An agency proposes resources through its form; an admin reviews them on the generic pages."""

from directory.extensions import db
from directory.models import ContentRevision, Pathway, PathwayStage, Resource, RevisionStatus
from directory.moderation import content
from directory.resources import catalogue
from tests.accounts_helpers import error_for, form_values, page, signed_in
from tests.resources.helpers import join_network, published_resource

FORM = "form.resource-form"


def _filled(response, **fields):
    values = form_values(response, FORM)
    for key, value in fields.items():
        values.setlist(key, value if isinstance(value, list) else [value])
    return values


def test_an_editor_proposes_a_resource_and_an_admin_publishes_it(app, network):
    stage = PathwayStage(name="Harm-reduction information", position=0)
    db.session.add(Pathway(slug="chemsex-support", name="Chemsex support", stages=[stage]))
    db.session.commit()
    editor = signed_in(app.test_client(), network.editor_a)
    form = editor.get("/agency/resources/new")
    assert form.status_code == 200
    sent = editor.post("/agency/resources/new", data=_filled(
        form, name="Slamming safer card", format="card",
        description="Safer injecting: clean needles, no sharing.",
        audience="People who inject at chillouts.", how_to_get="Ask at reception.",
        services=[network.service_a.id], stages=[stage.id], sources="https://www.example.org/card",
    ))
    assert sent.status_code == 302 and "/agency/network" in sent.location
    revision = db.session.query(ContentRevision).filter_by(kind="resource").one()
    assert revision.status == RevisionStatus.PENDING and revision.author_id == network.editor_a.id
    assert app.test_client().get("/resources/slamming-safer-card").status_code == 404

    admin = signed_in(app.test_client(), network.admin)
    review = page(admin.get(f"/admin/content/{revision.id}"))
    assert "Slamming safer card" in review.get_text() and "A's clinic" in review.get_text()
    assert admin.post(f"/admin/content/{revision.id}/approve", data={"note": ""}).status_code == 302
    public = page(app.test_client().get("/resources/slamming-safer-card"))
    assert "Safer injecting" in public.get_text()
    handed_out = [a.get_text(strip=True) for a in public.select("main ul a") if "/services/" in a["href"]]
    assert handed_out == ["A's clinic"]
    stage_page = page(app.test_client().get("/pathways/chemsex-support"))
    assert [h.get_text(strip=True) for h in stage_page.select(".resource-title")] == ["Slamming safer card"]


def test_mistakes_are_shown_beside_their_fields_and_nothing_is_kept(app, network):
    editor = signed_in(app.test_client(), network.editor_a)
    form = editor.get("/agency/resources/new")
    response = editor.post("/agency/resources/new", data=_filled(
        form, name="", description="", audience="x", how_to_get="", order_url="not a web address",
        sources="https://ok.example.org\njavascript:alert(1)",
    ))
    assert response.status_code == 200
    doc = page(response)
    assert error_for(doc, "name") == "Error: Enter the resource's name."
    assert error_for(doc, "description") == "Error: Say what the resource is."
    assert "https://" in error_for(doc, "order_url")
    assert "javascript:alert(1)" in error_for(doc, "sources")
    assert db.session.query(Resource).count() == 0 and db.session.query(ContentRevision).count() == 0


def test_how_to_get_it_needs_words_an_order_page_or_a_service(app, network):
    editor = signed_in(app.test_client(), network.editor_a)
    form = editor.get("/agency/resources/new")
    response = editor.post("/agency/resources/new", data=_filled(
        form, name="Card", description="A card.", audience="Anyone.", how_to_get="", order_url="",
    ))
    assert "Say how to get it" in error_for(page(response), "how_to_get")


def test_an_edit_starts_from_the_resource_and_waits_for_review(app, network):
    resource = published_resource(network, last_checked="2020-01-01")
    editor = signed_in(app.test_client(), network.editor_a)
    form = editor.get(f"/agency/resources/{resource.id}/edit")
    assert form_values(form, FORM)["name"] == "Safer partying card"
    same = editor.post(f"/agency/resources/{resource.id}/edit", data=form_values(form, FORM))
    # Nothing changed but the date it was checked: still a change to review (the editor checked it).
    assert same.status_code == 302
    again = editor.get(f"/agency/resources/{resource.id}/edit")
    refused = editor.post(f"/agency/resources/{resource.id}/edit", data=form_values(again, FORM))
    assert refused.status_code == 400 and "already waiting for review" in page(refused).get_text()


def test_an_editor_outside_the_network_is_told_how_to_join_and_cannot_propose(app, network):
    editor = signed_in(app.test_client(), network.editor_b)
    shown = page(editor.get("/agency/resources/new"))
    assert "Ask a directory admin to add your organisation to the network" in shown.get_text()
    assert shown.select_one(FORM) is None
    editor.post("/agency/resources/new", data={"name": "Sneaky", "format": "card", "description": "x",
                                                "audience": "x", "how_to_get": "x"})
    assert db.session.query(Resource).count() == 0


def test_the_agency_list_shows_only_the_organisations_own_resources(app, network):
    join_network(network.org_b)
    published_resource(network, name="A's card")
    mine = page(signed_in(app.test_client(), network.editor_a).get("/agency/resources")).get_text()
    theirs = page(signed_in(app.test_client(), network.editor_b).get("/agency/resources")).get_text()
    assert "A's card" in mine and "A's card" not in theirs


def test_an_admins_own_change_is_published_at_once_with_its_revision(app, network):
    resource = published_resource(network, last_checked="2020-01-01")
    admin = signed_in(app.test_client(), network.admin)
    form = admin.get(f"/agency/resources/{resource.id}/edit")
    assert page(form).select_one(f"{FORM} button, {FORM} input[type=submit]").get("value", "") == "Publish"
    sent = admin.post(f"/agency/resources/{resource.id}/edit", data=_filled(
        form, how_to_get="Ask at reception, or at the Friday drop-in.", reason="Checked with the clinic",
    ))
    assert sent.status_code == 302 and sent.location.endswith(f"/resources/{resource.id}")
    assert "Friday drop-in" in app.test_client().get(f"/resources/{resource.id}").get_data(as_text=True)
    last = content.history(catalogue.KIND, resource.id)[-1]
    assert (last.action, last.status, last.author_id, last.reason) == (
        "admin", RevisionStatus.PUBLISHED, network.admin.id, "Checked with the clinic"
    )


def test_the_generic_pages_show_a_resource_proposal_its_queue_entry_and_its_history(app, network):
    editor = signed_in(app.test_client(), network.editor_a)
    form = editor.get("/agency/resources/new")
    editor.post("/agency/resources/new", data=_filled(
        form, name="Chillout safety leaflet", format="booklet", description="Looking after each other.",
        audience="People at chillouts.", how_to_get="Ask at reception.",
    ))
    revision = db.session.query(ContentRevision).filter_by(kind="resource").one()
    proposals = page(editor.get("/agency/network")).get_text(" ")
    assert "Chillout safety leaflet" in proposals and "Waiting for review" in proposals
    admin = signed_in(app.test_client(), network.admin)
    queue = page(admin.get("/admin/queue"))
    entry = queue.select_one(f'a[href="/admin/content/{revision.id}"]')
    assert entry.get_text(strip=True) == "Harm-reduction resource: Chillout safety leaflet"
    admin.post(f"/admin/content/{revision.id}/reject", data={"reason": "Please add a source."})
    history = page(editor.get(f"/agency/network/resource/{revision.item_id}/history")).get_text(" ")
    assert "Chillout safety leaflet" in history and "Please add a source." in history
    assert "Booklet or leaflet" in history
