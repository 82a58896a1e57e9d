"""The admin dashboard: what is waiting for review, reports, and organisations without an editor."""



from directory import moderation
from directory.extensions import db
from tests.accounts_helpers import signed_in


def test_the_admin_dashboard_counts_pending_stale_and_organisations_without_editors(app, make, world):
    make.organisation("Nobody Here Trust")
    summary = moderation.admin_summary()
    assert summary["pending"] == 1 and summary["reports"] == 1
    without = {row.organisation.name for row in summary["without_editor"]}
    assert without == {"Nobody Here Trust"}
    world.editor_b.is_active = False
    db.session.commit()
    assert {row.organisation.name for row in moderation.admin_summary()["without_editor"]} == {
        "Nobody Here Trust",
        "Agency B",
    }
    text = signed_in(app.test_client(), world.admin).get("/admin/").get_data(as_text=True)
    assert "Nobody Here Trust" in text and "waiting for review" in text

