"""Short share links: every service has a permanent number, and a list's link is those numbers."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select

from directory import clock, hours_wording, qr_codes, share_codes, signposting
from directory.extensions import db
from directory.models import Phone, Schedule, ShareNumber
from tests.conftest import TEST_DATABASE_URL, USING_POSTGRES, make_app

from .conftest import page, text


def number_of(service) -> int:
    return db.session.scalar(select(ShareNumber.number).where(ShareNumber.service_id == service.id))


def listed_ids(response) -> list[str]:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.path == "/list"
    return parse_qs(location.query)["s"]


@pytest.fixture
def three(app, make, pinned):
    walk_in = make.service(
        name="Brixton chemsex drop-in", routes=("self-referral", "walk-in"), postcode="SW9 8BS",
        hours=[(d, "10:00", "18:00") for d in range(5)], url="https://example.org/brixton",
    )
    walk_in.phones = [Phone(number="020 7946 0001", description="duty worker")]
    db.session.commit()
    referral = make.service(name="Lambeth counselling", routes=("professional-referral",),
                            postcode="SE11 5HL", hours=[(0, "09:00", "17:00")])
    unknown = make.service(name="Peer support group", routes=("self-referral",), location_type="virtual")
    return walk_in, referral, unknown


@pytest.mark.parametrize("numbers", [[0], [1, 31, 32, 1000], [33000, 5, 7], list(range(1, 21))])
def test_codes_round_trip_in_order(numbers):
    code = share_codes.encode(numbers)
    assert share_codes.decode(code, 20) == numbers
    assert share_codes.decode(code.upper(), 20) == numbers


def test_codes_are_short_and_read_misread_letters_as_digits():
    assert share_codes.encode([1000, 33, 7]) == "z8.11.7"
    assert len(share_codes.encode(range(1000, 1020))) <= 60  # twenty services in a few dozen characters
    assert share_codes.decode("1O.Il", 20) == [32, 33]
    assert share_codes.decode("3.3.4", 20) == [3, 4]
    assert share_codes.decode(share_codes.encode(range(1, 31)), 20) == list(range(1, 21))


@pytest.mark.parametrize("garbage", ["", ".", "a..b", "a.", "u", "abc!", "zzzzzzzz", "1" + ".2" * 60, "é"])
def test_garbage_is_not_a_code(garbage):
    assert share_codes.decode(garbage, 20) is None


def test_every_new_service_gets_the_next_permanent_number(app, make):
    first, second = make.service(), make.service()
    assert number_of(second) == number_of(first) + 1
    # The newest number's service is gone: its number is still never handed out again.
    db.session.execute(delete(ShareNumber).where(ShareNumber.service_id == second.id))
    db.session.commit()
    third = make.service()
    assert number_of(third) > number_of(first) + 1


def test_a_rolled_back_service_leaves_no_number(app, make):
    before = db.session.scalar(select(func.count()).select_from(ShareNumber))
    service = make.service(commit=False)
    db.session.flush()
    assert number_of(service) is not None
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ShareNumber)) == before


def test_every_seeded_service_has_a_number(seeded_app):
    from directory.models import Service

    services = db.session.scalar(select(func.count()).select_from(Service))
    numbered = db.session.scalar(select(func.count(func.distinct(ShareNumber.service_id))))
    assert services > 0 and numbered == services


def test_the_list_page_shares_a_short_link_that_opens_the_same_list(client, three):
    walk_in, referral, unknown = three
    doc = page(client.get(f"/list?s={referral.id}&s={walk_in.id}"))
    share = doc.select_one("#share-link")["value"]
    code = share_codes.encode([number_of(referral), number_of(walk_in)])
    assert share == f"http://localhost/l/{code}"
    assert listed_ids(client.get(f"/l/{code}")) == [referral.id, walk_in.id]
    assert listed_ids(client.get(f"/l/{code.upper()}")) == [referral.id, walk_in.id]
    assert f"Open this list: {share}" in doc.select_one("#list-text").string


def test_the_share_link_is_built_on_the_site_address_not_the_request_host(app, client, three):
    app.config["DIRECTORY_BASE_URL"] = "https://directory.example.org"
    doc = page(client.get(f"/list?s={three[0].id}", headers={"Host": "evil.example"}))
    assert doc.select_one("#share-link")["value"].startswith("https://directory.example.org/l/")
    sheet = page(client.get(f"/list/print?s={three[0].id}", headers={"Host": "evil.example"}))
    assert text(sheet.select_one(".sheet-share-link")).startswith("https://directory.example.org/l/")


def test_a_withdrawn_service_drops_out_of_a_short_link_and_says_so(client, three):
    walk_in, referral, _ = three
    code = share_codes.encode([number_of(walk_in), number_of(referral)])
    referral.is_published = False
    db.session.commit()
    doc = page(client.get(f"/l/{code}", follow_redirects=True))
    assert [text(h) for h in doc.select(".list-item h2")] == ["Brixton chemsex drop-in"]
    dropped = "1 service on this link is no longer listed, so it is not shown."
    assert text(doc.select_one("#list-dropped")) == dropped
    assert "Lambeth counselling" not in doc.get_text()


@pytest.mark.parametrize("code", ["!!!", "a..b", "u", "zzzzzz", "zzzzzzzzzzzz", "1" + ".2" * 60])
def test_a_broken_or_unknown_short_link_gets_a_clear_page(client, three, code):
    doc = page(client.get(f"/l/{code}"), status=404)
    assert text(doc.select_one("#list-link-problem h2")) == "This list link does not work"
    assert "Ask the person who sent it to send it again" in text(doc.select_one("#list-link-problem"))
    assert doc.title.string.strip().startswith("Your signposting list")
    assert not doc.select(".list-item")


def test_a_list_of_services_without_numbers_falls_back_to_the_long_link(client, three):
    db.session.execute(delete(ShareNumber).where(ShareNumber.service_id == three[0].id))
    db.session.commit()
    share = page(client.get(f"/list?s={three[0].id}")).select_one("#share-link")["value"]
    assert parse_qs(urlsplit(share).query)["s"] == [three[0].id]


def test_the_print_view_carries_an_inline_qr_code_of_the_short_link(client, three):
    walk_in, referral, _ = three
    doc = page(client.get(f"/list/print?s={walk_in.id}&s={referral.id}"))
    share = "http://localhost/l/" + share_codes.encode([number_of(walk_in), number_of(referral)])
    figure = doc.select_one("figure#sheet-share")
    svg = figure.select_one("svg")
    assert svg["role"] == "img" and svg["aria-label"] == "QR code: scan to open this list"
    expected = BeautifulSoup(qr_codes.svg(share, "QR code: scan to open this list"), "html.parser")
    assert svg.path["d"] == expected.svg.path["d"]  # the code drawn is the share link's
    assert text(figure.figcaption) == f"Scan to open this list, or type {share}"
    assert not doc.select("img") and "data:" not in str(figure) and not svg.has_attr("style")


def test_the_print_view_shows_phones_todays_hours_and_a_next_step_without_contacts(client, three):
    walk_in, referral, unknown = three
    doc = page(client.get(f"/list/print?s={walk_in.id}&s={referral.id}&s={unknown.id}"))
    brixton, lambeth, peer = (text(i) for i in doc.select(".sheet-item"))
    assert "Phone: 020 7946 0001 (duty worker)" in brixton
    assert "Opening times: Mon–Fri 10:00–18:00. Today (Wednesday): 10:00–18:00" in brixton
    assert "listed:" not in brixton
    assert "Today (Wednesday): closed" in lambeth
    assert ("Contact: No phone listed: ask a professional (a GP, clinic or support worker) to refer you"
            in lambeth)
    assert "Today" not in peer  # no hours listed: nothing is guessed
    assert ("Contact: No phone or opening times listed: ask NHS 111 or check with whoever referred you"
            in peer)
    assert "No contact details listed" not in doc.get_text()


def test_the_copied_text_uses_the_same_next_step(app, make, three):
    walk_in, referral, unknown = three
    walk_in.phones, walk_in.url = [], None
    db.session.commit()
    copied = signposting.as_text([walk_in, unknown], clock.now())
    assert "   Contact: No phone listed: walk in during its opening times" in copied
    assert f"   Contact: {signposting.contact_next_step(unknown)}" in copied


def test_today_hours_words_only_what_is_listed():
    from datetime import datetime, time

    wednesday = datetime(2026, 3, 4, 14, 30)

    def session(weekday, opens, closes, note=""):
        return Schedule(weekday=weekday, opens_at=time.fromisoformat(opens),
                        closes_at=time.fromisoformat(closes), note=note)

    assert hours_wording.today_hours([], wednesday) == ""
    assert hours_wording.today_hours([session(2, "09:00", "12:00"), session(2, "14:00", "17:00", "walk-in")],
                                     wednesday) == "Today (Wednesday): 09:00–12:00; 14:00–17:00 (walk-in)"
    assert hours_wording.today_hours([session(0, "09:00", "17:00")], wednesday) == "Today (Wednesday): closed"
    assert hours_wording.today_hours([session(1, "22:00", "02:00")], wednesday) == (
        "Today (Wednesday): until 02:00 (from the night before)"
    )
    assert hours_wording.today_hours([session(1, "20:00", "00:00")], wednesday) == "Today (Wednesday): closed"
    assert hours_wording.today_hours([session(2, "00:00", "00:00")], wednesday) == (
        "Today (Wednesday): 24 hours"
    )


@pytest.fixture
def unmigrated_app(request, tmp_path):
    """An app on a database with no tables at all, for running the migrations."""
    if USING_POSTGRES:
        request.getfixturevalue("_postgres_schema")
        app = make_app(TEST_DATABASE_URL, tmp_path / "index")
    else:
        app = make_app(f"sqlite:///{tmp_path / 'm.db'}", tmp_path / "index")

    def empty():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

    with app.app_context():
        empty()
        yield app
        db.session.remove()
        empty()
        db.engine.dispose()


def test_the_migration_numbers_existing_services_oldest_first(unmigrated_app):
    from datetime import UTC, datetime

    from directory.models import Organisation, Service

    migrations = unmigrated_app.extensions["migrate"].directory
    upgrade(directory=migrations)
    org = Organisation(name="Org")
    newer = Service(name="Newer", organisation=org, created_at=datetime(2025, 6, 1, tzinfo=UTC))
    older = Service(name="Older", organisation=org, created_at=datetime(2024, 1, 1, tzinfo=UTC))
    db.session.add_all([org, newer, older])
    db.session.commit()
    ids = {"older": older.id, "newer": newer.id, "org": org.id}
    db.session.remove()
    downgrade(directory=migrations, revision="c34a87a1648b")
    upgrade(directory=migrations)
    numbers = dict(db.session.execute(select(ShareNumber.service_id, ShareNumber.number)).all())
    assert numbers == {ids["older"]: 1, ids["newer"]: 2}
    # The sequence carries on after the backfill: the next service gets the next number.
    later = Service(name="Later", organisation=db.session.get(Organisation, ids["org"]))
    db.session.add(later)
    db.session.commit()
    assert number_of(later) == 3
