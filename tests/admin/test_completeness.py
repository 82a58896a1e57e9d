"""Admins see, per organisation, how complete and freshly checked its listings are, and who has no editor."""

from datetime import timedelta

from directory.extensions import db
from directory.models import Phone
from directory.models.base import utcnow
from tests.accounts_helpers import make_user, page, signed_in
from tests.conftest import counting_queries


def _rows(response) -> dict[str, list[str]]:
    """The organisations table as {organisation: [cell texts]}."""
    table = page(response).select_one("table.organisations")
    if table is None:
        return {}
    return {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }


def test_each_organisation_shows_listings_checks_completeness_and_editors(app, make, world):
    now = utcnow()
    world.service_a.verified_at = now - timedelta(days=3)
    world.service_a.phones = [Phone(number="020 7946 0000")]
    world.service_a.url = "https://a.example.org"
    old = make.service("B's old clinic", organisation=world.org_b, postcode="E8 1DY")
    old.verified_at = now - timedelta(days=400)
    make.service("B's unpublished idea", organisation=world.org_b, is_published=False)
    db.session.commit()
    client = signed_in(app.test_client(), world.admin)
    rows = _rows(client.get("/admin/organisations"))

    listings, recent, long_ago, never, complete, editors = rows["Agency A"]
    assert (listings, recent, long_ago, never) == ("1", "1", "0", "0")
    assert complete == "1 of 1 complete" and editors == "1"

    listings, recent, long_ago, never, complete, editors = rows["Agency B"]
    # The unpublished proposal is not counted: these are the public listings.
    assert (listings, recent, long_ago, never) == ("2", "0", "1", "1")
    assert complete.startswith("0 of 2 complete")
    assert "2 without phone number" in complete and "2 without opening times" in complete
    assert "without full postcode" not in complete


def test_organisations_with_no_active_editor_are_flagged_linked_to_invite_and_filterable(app, make, world):
    nobody = make.organisation("Agency C")
    invited_only = make.organisation("Agency D")
    make.user("not-yet@example.org", password=None, organisations=[invited_only])  # never set a password
    switched_off = make_user(make, "gone@example.org", organisations=[world.org_b])
    switched_off.is_active = False
    db.session.commit()
    client = signed_in(app.test_client(), world.admin)

    everyone = client.get("/admin/organisations")
    rows = _rows(everyone)
    assert set(rows) == {"Agency A", "Agency B", "Agency C", "Agency D"}
    assert rows["Agency C"][-1].startswith("None yet") and rows["Agency D"][-1].startswith("None yet")
    assert "invited" not in rows["Agency C"][-1]
    assert "1 invited, no password set yet" in rows["Agency D"][-1]
    assert rows["Agency B"][-1] == "1"  # editor B still edits; the switched-off account does not count
    invite = next(a for a in page(everyone).select("table a") if a.get_text().startswith("Invite an editor"))
    assert invite.get_text() == "Invite an editor for Agency C"
    assert invite["href"] == f"/admin/organisations/{nobody.id}#invite"
    assert page(client.get(invite["href"])).find(id="invite") is not None

    filter_link = page(everyone).find("a", string="No editor yet (2)")
    assert filter_link is not None
    assert set(_rows(client.get(filter_link["href"]))) == {"Agency C", "Agency D"}

    for organisation in (nobody, invited_only):
        make_user(make, f"editor@{organisation.name[-1].lower()}.example.org", organisations=[organisation])
    filtered = client.get(filter_link["href"])
    assert _rows(filtered) == {}
    assert "Every organisation has an active editor." in filtered.get_data(as_text=True)


def test_a_month_later_on_the_fake_clock_a_check_made_170_days_ago_is_no_longer_recent(app, world):
    world.service_a.verified_at = utcnow() - timedelta(days=170)
    db.session.commit()
    client = signed_in(app.test_client(), world.admin)
    assert _rows(client.get("/admin/organisations"))["Agency A"][1:4] == ["1", "0", "0"]
    app.config["DIRECTORY_NOW"] = (utcnow() + timedelta(days=31)).isoformat()
    assert _rows(client.get("/admin/organisations"))["Agency A"][1:4] == ["0", "1", "0"]


def test_the_organisations_page_takes_as_many_queries_for_thirty_organisations_as_for_three(app, make):
    admin = make_user(make, "admin@example.org", is_admin=True)
    client = signed_in(app.test_client(), admin)

    def add(count):
        for _ in range(count):
            organisation = make.organisation()
            for _ in range(2):
                make.service(organisation=organisation, postcode="SW9 8BS", hours=[(1, "10:00", "12:00")])
            make_user(make, f"editor-{organisation.id}@example.org", organisations=[organisation])
        db.session.expire_all()

    def queries():
        with counting_queries() as statements:
            assert client.get("/admin/organisations").status_code == 200
        return len(statements)

    add(3)
    few = queries()
    add(27)
    assert queries() == few
