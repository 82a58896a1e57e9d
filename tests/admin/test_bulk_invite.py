"""Bulk invitations from a CSV of email,organisation: all rows checked first, nobody invited if one is wrong.

The admin page and `flask users invite-csv` share directory/onboarding.py; mail goes through a real
SMTP server on loopback.
"""

import csv
import io

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import AuditEvent, Invitation, Membership, Organisation, OutboxMessage, User
from tests.accounts_helpers import error_for, make_user, page, signed_in
from tests.mail_server import deliver, links_in, path_of, text_of

NEW_PASSWORD = "kettle lantern harbour moss"


@pytest.fixture
def agencies(app, make):
    return make.organisation("Agency A"), make.organisation("Agency B")


@pytest.fixture
def admin_client(app, make):
    return signed_in(app.test_client(), make_user(make, "admin@example.org", is_admin=True))


def _paste(client, text):
    return client.post("/admin/invite-many", data={"rows": text})


def _upload(client, data: bytes, filename="editors.csv"):
    response = client.post(
        "/admin/invite-many",
        data={"csv_file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    response.request.environ["wsgi.input"].close()  # the test client spools a big body to a file, left open
    return response


def _results(response):
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in page(response).select("table tbody tr")
    ]


def _nothing_written():
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_the_page_is_linked_from_the_dashboard_and_only_for_admins(app, make, admin_client):
    dashboard = page(admin_client.get("/admin/"))
    assert dashboard.find("a", href="/admin/invite-many") is not None
    form = page(admin_client.get("/admin/invite-many")).select_one("form[action='/admin/invite-many']")
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("label[for=csv_file]") and form.select_one("label[for=rows]")

    editor = make_user(make, "editor@example.org", organisations=[make.organisation()])
    assert signed_in(app.test_client(), editor).get("/admin/invite-many").status_code == 403
    assert app.test_client().get("/admin/invite-many").status_code == 302, "to sign in"


def test_pasted_rows_invite_everyone_and_each_gets_a_working_link(app, agencies, admin_client, real_mail):
    agency_a, agency_b = agencies
    response = _paste(
        admin_client, f"Email,Organisation\nsam@example.org,agency a\nKim@Example.org,{agency_b.id}\n"
    )
    assert response.status_code == 200
    assert _results(response) == [
        ["sam@example.org", "Agency A", "Invited: link emailed"],
        ["kim@example.org", "Agency B", "Invited: link emailed"],
    ]
    assert "2 people were invited" in page(response).get_text()

    assert deliver().sent == 2
    [to_kim] = real_mail.to("kim@example.org")
    assert "admin@example.org has made you an editor of Agency B" in text_of(to_kim)
    [link] = [u for u in links_in(to_kim) if "/set-password/" in u]
    kim = app.test_client()
    assert (
        kim.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    )
    assert real_mail.to("sam@example.org")


def test_one_bad_row_lists_every_problem_and_invites_nobody(app, make, agencies, admin_client, real_mail):
    make_user(make, "gone@example.org").is_active = False
    db.session.commit()
    rows = "\n".join(
        [
            "sam@example.org,Agency A",
            "not-an-address,Agency A",
            "kim@example.org,Agency Nowhere",
            "gone@example.org,Agency B",
            "SAM@example.org, agency a ",
            "lee@example.org",
            "lee@example.org,Agency B",
        ]
    )
    refused = _paste(admin_client, rows)
    assert refused.status_code == 400
    soup = page(refused)
    assert "Nobody was invited: 5 of 7 rows need fixing" in soup.get_text(" ")
    problems = {row[0]: row[2] for row in _results(refused)}
    assert set(problems) == {"2", "3", "4", "5", "6"}
    assert "not-an-address is not an email address" in problems["2"]
    assert "There is no organisation called Agency Nowhere" in problems["3"]
    assert "gone@example.org has been switched off" in problems["4"]
    assert "The same as row 1" in problems["5"]
    assert "two columns" in problems["6"]
    assert soup.select_one("#rows").text.strip().startswith("sam@example.org,Agency A"), (
        "what was pasted stays"
    )
    _nothing_written()
    assert db.session.scalar(select(User).where(User.email == "sam@example.org")) is None
    assert deliver().sent == 0 and real_mail.messages == []


def test_someone_already_an_editor_is_sent_nothing(app, make, agencies, admin_client, real_mail):
    agency_a, _ = agencies
    make_user(make, "sam@example.org", organisations=[agency_a])
    response = _paste(admin_client, "sam@example.org,Agency A\nkim@example.org,Agency A")
    assert _results(response)[0][2].startswith("Already an editor: nothing sent")
    assert "1 person was invited" in page(response).get_text()
    deliver()
    assert real_mail.to("sam@example.org") == [] and len(real_mail.to("kim@example.org")) == 1


def test_someone_listed_for_two_agencies_gets_one_email_with_a_link_that_works(
    app, agencies, admin_client, real_mail
):
    _paste(admin_client, "sam@example.org,Agency A\nsam@example.org,Agency B")
    deliver()
    [message] = real_mail.to("sam@example.org")
    assert "editor of Agency A and Agency B" in text_of(message)
    [link] = [u for u in links_in(message) if "/set-password/" in u]
    assert app.test_client().get(path_of(link)).status_code == 200, "the one link sent is the one that works"
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert len(sam.organisation_ids) == 2


def test_an_uploaded_csv_file_from_a_spreadsheet_is_read(app, agencies, admin_client):
    data = "\ufeffemail,organisation,,\r\nsam@example.org,Agency A,,\r\n,,,\r\n".encode()
    response = _upload(admin_client, data)
    assert response.status_code == 200
    assert _results(response) == [["sam@example.org", "Agency A", "Invited: link emailed"]]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        ("sam@example.org,Agence Générale".encode("cp1252"), "editors.csv", 'save it as "CSV UTF-8"'),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "editors.csv", "does not look like a CSV file"),
        (b"PK\x03\x04", "editors.xlsx", "Choose a CSV file"),
        (b"x" * 1_000_001, "editors.csv", "over 1 MB"),
        (("sam@example.org,Agency A\n" * 1001).encode(), "editors.csv", "at most 1,000 rows at once"),
        (b"email,organisation\n\n", "editors.csv", "There are no rows to invite"),
        (b'sam@example.org,"Agency A', "editors.csv", "not readable as CSV"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_beside_the_field(
    app, agencies, admin_client, data, filename, message
):
    refused = _upload(admin_client, data, filename)
    assert refused.status_code == 400
    assert message in error_for(page(refused), "csv_file")
    _nothing_written()


def test_a_huge_upload_or_paste_is_refused_with_a_page_not_a_crash(app, agencies, admin_client):
    huge = _upload(admin_client, b"sam@example.org,Agency A\n" * 100_000)  # 2.5 MB
    assert huge.status_code == 413
    assert "a file can be up to 1 MB" in error_for(page(huge), "csv_file")
    pasted = admin_client.post(  # as a browser sends the form: multipart, 750 kB in the text box
        "/admin/invite-many",
        data={"rows": "sam@example.org,Agency A\n" * 30_000},
        content_type="multipart/form-data",
    )
    pasted.request.environ["wsgi.input"].close()
    assert pasted.status_code == 413
    assert "pasted rows up to 500 kB" in error_for(page(pasted), "csv_file")
    _nothing_written()


def test_nothing_chosen_or_both_chosen_is_refused(app, agencies, admin_client):
    empty = _paste(admin_client, "  ")
    assert empty.status_code == 400 and "Choose a CSV file, or paste the rows" in error_for(
        page(empty), "rows"
    )
    both = admin_client.post(
        "/admin/invite-many",
        data={
            "csv_file": (io.BytesIO(b"sam@example.org,Agency A"), "a.csv"),
            "rows": "kim@example.org,Agency A",
        },
        content_type="multipart/form-data",
    )
    assert both.status_code == 400 and "not both" in error_for(page(both), "csv_file")
    _nothing_written()


def test_the_cli_invites_from_a_file_with_no_actor(app, agencies, runner, tmp_path, real_mail):
    path = tmp_path / "editors.csv"
    path.write_text("email,organisation\nsam@example.org,Agency A\nkim@example.org,Agency B\n")
    result = runner.invoke(args=["users", "invite-csv", str(path)])
    assert result.exit_code == 0, result.output
    assert "sam@example.org\tAgency A\tinvited, link emailed" in result.output
    assert "2 invited, 0 already editors" in result.output
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation-issued")).all()
    assert len(events) == 2 and {e.actor_id for e in events} == {None}
    deliver()
    text = text_of(real_mail.to("sam@example.org")[0])
    assert "A directory admin has made you an editor of Agency A" in text


def test_the_cli_writes_nothing_and_fails_when_a_row_is_wrong(app, agencies, runner, tmp_path):
    path = tmp_path / "editors.csv"
    path.write_text("sam@example.org,Agency A\nkim@example.org,Agency Nowhere\n")
    result = runner.invoke(args=["users", "invite-csv", str(path)])
    assert result.exit_code != 0
    assert "row 2: There is no organisation called Agency Nowhere" in result.output
    assert "Nobody was invited" in result.output
    _nothing_written()

    binary = tmp_path / "editors.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00")
    result = runner.invoke(args=["users", "invite-csv", str(binary)])
    assert result.exit_code != 0 and "Choose a CSV file" in result.output


def test_every_seeded_organisation_can_be_given_an_editor_in_one_go(seeded_app, tmp_path):
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    assert len(organisations) > 10
    path = tmp_path / "network.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:  # as a spreadsheet saves it
        writer = csv.writer(handle)
        writer.writerow(["email", "organisation"])
        writer.writerows([f"editor{i}@example.org", o.name.upper()] for i, o in enumerate(organisations))
    assert any("," in o.name for o in organisations), "names with commas come quoted"
    result = seeded_app.test_cli_runner().invoke(args=["users", "invite-csv", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{len(organisations)} invited, 0 already editors" in result.output
    waiting = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert sorted(waiting) == sorted(f"editor{i}@example.org" for i in range(len(organisations)))


def test_a_pasted_name_with_a_comma_is_found_without_quotes(app, make, admin_client):
    make.organisation("Mind in Brent, Wandsworth and Westminster")
    response = _paste(admin_client, "sam@example.org,Mind in Brent, Wandsworth and Westminster")
    assert _results(response) == [
        ["sam@example.org", "Mind in Brent, Wandsworth and Westminster", "Invited: link emailed"]
    ]
