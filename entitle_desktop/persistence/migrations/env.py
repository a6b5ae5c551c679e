"""Alembic environment: run programmatically by ``persistence.db.upgrade`` with a connection."""

from __future__ import annotations

from alembic import context

from entitle_desktop.persistence.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("entitle migrations run only through entitle_desktop.persistence.db")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
