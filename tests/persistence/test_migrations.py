"""The schema built by the Alembic migrations equals the models; pragmas on every connection."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from entitle_desktop.persistence import db
from entitle_desktop.persistence.models import Base


def test_schema_from_migrations_equals_models(tmp_path: Path) -> None:
    engine = db.make_engine(tmp_path / "w.entitle")
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diffs == []


def test_migrations_reach_head_and_mark_the_file(tmp_path: Path) -> None:
    engine = db.make_engine(tmp_path / "w.entitle")
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision() == "0001"
    with engine.connect() as connection:
        app_id = connection.execute(text("PRAGMA application_id")).scalar_one()
    engine.dispose()
    assert app_id == db.APPLICATION_ID


def test_every_connection_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = db.make_engine(tmp_path / "w.entitle")
    db.upgrade(engine)
    for _ in range(2):
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_downgrade_removes_every_table(tmp_path: Path) -> None:
    from alembic import command

    engine = db.make_engine(tmp_path / "w.entitle")
    db.upgrade(engine)
    config = db.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with engine.connect() as connection:
        names = (
            connection.execute(
                text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert names == ["alembic_version"]
