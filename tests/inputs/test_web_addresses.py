"""A web address that would break a page's markup or the API's `format: uri` is refused beside the field."""

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Organisation
from tests.accounts_helpers import error_for, page, signed_in

BROKEN = ['https://example.org/"onmouseover=alert(1)', "https://example.org/<script>", "https://example.org/a>b"]


@pytest.mark.parametrize("address", BROKEN)
def test_the_admin_organisation_form_refuses_quotes_and_angle_brackets_in_the_website(app, world, address):
    client = signed_in(app.test_client(), world.admin)
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    data = {"name": "New Trust", "website": address, "email": ""}
    response = client.post("/admin/organisations", data=data)
    assert response.status_code == 200
    assert "web address" in error_for(page(response), "website").lower()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_the_admin_organisation_form_takes_an_ordinary_website(app, world):
    client = signed_in(app.test_client(), world.admin)
    data = {"name": "New Trust", "website": "https://example.org/a?b=1", "email": ""}
    response = client.post("/admin/organisations", data=data)
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation.website).where(Organisation.name == "New Trust")) == (
        "https://example.org/a?b=1"
    )
