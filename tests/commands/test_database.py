"""The schema comes from Alembic migrations, and they match the models exactly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from directory.extensions import db
from directory.models import Borough, Service
from tests.conftest import TEST_DATABASE_URL, USING_POSTGRES, make_app


@pytest.fixture
def empty_app(tmp_path, request):
    if USING_POSTGRES:
        request.getfixturevalue("_postgres_schema")
        app = make_app(TEST_DATABASE_URL, tmp_path / "index")
        with app.app_context():
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    else:
        app = make_app(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path / "index")
    with app.app_context():
        yield app
        db.session.remove()
        if USING_POSTGRES:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_migrations_build_exactly_the_models_schema(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "33 boroughs" in result.output
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_init_db_loads_reference_data_but_no_services_and_can_run_again(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Borough)) == 33
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0
    assert "alembic_version" in inspect(db.engine).get_table_names()
