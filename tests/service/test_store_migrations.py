"""Schema migrations: upgrade, downgrade, idempotent and concurrent start-up, models match the revisions."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.store.db import RAW_SQL_TABLE_PREFIXES, downgrade, include_in_autogenerate, make_engine, migrate
from service.store.models import Base

TABLES = {t.name for t in Base.metadata.sorted_tables}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        return {n for n in names if not n.startswith(RAW_SQL_TABLE_PREFIXES)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_round_trip(db_url: str) -> None:
    migrate(db_url)
    assert _tables(db_url) == TABLES
    migrate(db_url)  # a second start changes nothing
    assert _tables(db_url) == TABLES
    downgrade(db_url, "base")
    engine = make_engine(db_url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}  # raw-SQL tables gone too
    engine.dispose()
    migrate(db_url)
    assert _tables(db_url) == TABLES


def test_models_match_migrations(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_name": include_in_autogenerate})
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models changed without an Alembic revision"


def test_concurrent_start_up_migrates_once(db_url: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate(db_url)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _tables(db_url) == TABLES
