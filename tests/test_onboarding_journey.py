"""The onboarding journey of issue 19, end to end over real SMTP and a fake clock.

Starting from the seeded directory, an admin bulk-invites one editor per organisation from a CSV;
some editors set a password and confirm their listings from the reminder email; a month later the
admin sees, organisation by organisation, who confirmed and who did not, and a second reminder run
sends nothing twice.
"""

import csv
import io

from sqlalchemy import select

from directory.extensions import db
from directory.models import Organisation, Service, User
from tests.accounts_helpers import page, password_hash, signed_in
from tests.mail_server import deliver, links_in, path_of, text_of, use_server

DAY_0 = "2027-01-04T09:00:00"
A_MONTH_LATER = "2027-02-04T09:00:00"
NEW_PASSWORD = "kettle lantern harbour moss"


def _organisations_with_listings():
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return [o for o in organisations if any(s.is_listed for s in o.services)]


def _rows(response):
    def cells(row):
        return [cell.get_text(" ", strip=True) for cell in row.select("td")]

    rows = page(response).select("table.organisations tbody tr")
    return {row.select_one("th").get_text(" ", strip=True): cells(row) for row in rows}


def test_bulk_invite_then_a_month_later_the_admin_sees_who_confirmed(seeded_app, smtp_server):
    app = seeded_app
    real_mail = use_server(app, smtp_server)
    app.config["DIRECTORY_NOW"] = DAY_0
    admin = User(email="admin@network.example", is_admin=True, password_hash=password_hash())
    db.session.add(admin)
    db.session.commit()
    admin_client = signed_in(app.test_client(), admin)
    organisations = _organisations_with_listings()
    assert len(organisations) > 20

    # 1. One editor per organisation, from a CSV file uploaded on the admin page.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "organisation"])
    editors = {o.id: f"editor{n}@agency{n}.example" for n, o in enumerate(organisations)}
    for o in organisations:
        writer.writerow([editors[o.id], o.name])
    response = admin_client.post(
        "/admin/invite-many",
        data={"csv_file": (io.BytesIO(buffer.getvalue().encode()), "network.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert deliver().sent == len(organisations)

    # 2. Three agencies act on their invitation and set a password; the rest do not.
    acting = organisations[:3]
    for o in acting:
        [invitation] = real_mail.to(editors[o.id])
        link = next(url for url in links_in(invitation) if "/account/set-password/" in url)
        client = app.test_client()
        set_page = client.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert set_page.status_code == 302
    real_mail.messages.clear()

    # 3. The daily reminder run: every seeded listing was never confirmed, so each editor gets one email.
    app.config["DIRECTORY_NOW"] = "2027-01-05T06:15:00"
    result = app.test_cli_runner().invoke(args=["reminders", "queue"])
    assert result.exit_code == 0, result.output
    assert deliver().sent == len(organisations)
    # Two of the three confirm every listing from the email, without signing in; the third does nothing.
    for o in acting[:2]:
        [reminder] = real_mail.to(editors[o.id])
        confirm_links = [url for url in links_in(reminder) if "/agency/confirm/" in url]
        listed = [s for s in o.services if s.is_listed]
        assert len(confirm_links) == len(listed)
        assert all(s.name in text_of(reminder) for s in listed)
        client = app.test_client()
        for link in confirm_links:
            shown = client.get(path_of(link))
            assert shown.status_code == 200 and "still accurate" in shown.get_data(as_text=True).lower()
            assert client.post(path_of(link)).status_code == 200
            assert client.post(path_of(link)).status_code in (400, 404, 410)  # a link works once

    # 4. A month later the admin sees which organisations confirmed their listings.
    app.config["DIRECTORY_NOW"] = A_MONTH_LATER
    rows = _rows(admin_client.get("/admin/organisations"))
    for o in organisations:
        services, recently, long_ago, never = rows[o.name][:4]
        listed = sum(1 for s in o.services if s.is_visible)
        if o in acting[:2]:
            assert (recently, never) == (services, "0"), o.name
        else:
            assert (recently, never) == ("0", str(listed)), o.name
    confirmed = db.session.scalars(select(Service).where(Service.verified_at.is_not(None))).all()
    assert {s.organisation_id for s in confirmed} == {o.id for o in acting[:2]}
    assert {s.verification_method for s in confirmed} == {"agency"}

    # 5. The next reminder run sends nothing again for the same due dates.
    real_mail.messages.clear()
    again = app.test_cli_runner().invoke(args=["reminders", "queue"])
    assert again.exit_code == 0 and "already sent" in again.output
    deliver()
    assert real_mail.messages == []
