"""ORUK records and checks shared by the interchange and `hsds` command tests."""

import json
import uuid

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.interchange.export import export_services

LAMBETH_URI = "http://statistics.data.gov.uk/id/statistical-geography/E09000022"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def exported(tmp_path, name="export.json"):
    path = tmp_path / name
    export_services(path)
    return json.loads(path.read_text(encoding="utf-8"))


def without(document, keys=("last_modified",)):
    """Drop timestamps that are ours by definition (the time of our last change)."""
    if isinstance(document, dict):
        return {k: without(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [without(v, keys) for v in document]
    return document


def contained(original, exported_document, path="$"):
    """Assert every fact in `original` is in `exported_document` (lists matched by id where they have one)."""
    if isinstance(original, dict):
        assert isinstance(exported_document, dict), path
        for key, value in original.items():
            assert key in exported_document, f"{path}.{key} lost"
            contained(value, exported_document[key], f"{path}.{key}")
    elif isinstance(original, list):
        for i, item in enumerate(original):
            if isinstance(item, dict) and "id" in item:
                match = [x for x in exported_document if isinstance(x, dict) and x.get("id") == item["id"]]
                assert match, f"{path}[{i}] (id {item['id']}) lost"
                contained(item, match[0], f"{path}[{i}]")
            else:
                assert item in exported_document, f"{path}[{i}] lost"
    elif isinstance(original, float | int) and not isinstance(original, bool):
        assert exported_document == pytest.approx(original), path
    else:
        assert exported_document == original, f"{path}: {original!r} became {exported_document!r}"


def a_service(**overrides):
    """Return a small, valid ORUK service in Lambeth."""
    service_id, org_id, sal_id, loc_id = (str(uuid.uuid4()) for _ in range(4))
    record = {
        "id": service_id,
        "name": "Clapham chemsex drop-in",
        "description": "Peer support for men affected by chemsex.",
        "status": "active",
        "organization": {"id": org_id, "name": f"Peer Network {org_id[:8]}", "description": "A charity."},
        "service_areas": [{"id": str(uuid.uuid4()), "name": "Lambeth", "uri": LAMBETH_URI}],
        "service_at_locations": [
            {
                "id": sal_id,
                "location": {
                    "id": loc_id,
                    "location_type": "physical",
                    "name": "Community hall",
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "1 Example Road",
                            "city": "London",
                            "state_province": "",
                            "postal_code": "sw9 8bs",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "schedules": [
            {
                "id": str(uuid.uuid4()),
                "service_at_location_id": sal_id,
                "freq": "WEEKLY",
                "byday": "FR,TU",
                "opens_at": "18:00",
                "closes_at": "21:30",
                "description": "drop-in",
            }
        ],
    }
    record.update(overrides)
    return record

