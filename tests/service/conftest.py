"""Database fixtures: every store test runs on real SQLite and, when ``PUHETURVA_TEST_DATABASE_URL`` is set,
on real PostgreSQL in a fresh schema of its own (dropped afterwards), so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from service.store.db import Database, open_database
from service.store.records import ArtefactRecord, CallMeta, RetentionTag
from service.store.repo_calls import create_call_with_job
from tests.pg import fresh_schema_url

PG_ENV = "PUHETURVA_TEST_DATABASE_URL"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _pg_param() -> object:
    return pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres, pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set")])


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), _pg_param()])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a PostgreSQL schema made for this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with fresh_schema_url(os.environ[PG_ENV]) as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The migrated database behind ``db_url``."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    s = db.sessions()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


def tag(policy: str = "test", until: datetime = NOW, hold: bool = False) -> RetentionTag:
    return RetentionTag(policy=policy, purpose="laadunvarmistus", legal_basis="oikeutettu_etu",
                        retain_until=until, legal_hold=hold)


@pytest.fixture
def make_call() -> Callable[..., uuid.UUID]:
    """Create a call (+ job + original-audio artefact) and commit; returns the call id."""

    def _make(session: Session, external_id: str | None = None, *, client: str = "default",
              audio_until: datetime = NOW, blob_key: str | None = None,
              call_id: uuid.UUID | None = None) -> uuid.UUID:
        call_id = call_id or uuid.uuid4()
        audio = ArtefactRecord(kind="original_audio", data_category="puhelutallenteet",
                               source="puhelinjarjestelma", tag=tag("raw_audio", audio_until),
                               blob_key=blob_key, sha256="a" * 64, size=10)
        res = create_call_with_job(session, client=client,
                                   external_id=external_id or f"ext-{call_id.hex[:8]}", audio_sha256="a" * 64,
                                   meta=CallMeta(direction="inbound", queue="laskutus"),
                                   original_audio=audio, call_id=call_id, now=NOW)
        session.commit()
        return res.call.id

    return _make


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the settings at a fresh data dir (and forget cached settings, keys, register, retention)."""
    from service.platform.config import get_settings
    from service.privacy import register, retention

    data = tmp_path / "var"
    monkeypatch.setenv("PUHETURVA_DATA_DIR", str(data))
    for var in ("DATABASE_URL", "ENCRYPTION_KEY", "INDEX_KEY", "ENVIRONMENT", "CLIENTS_FILE",
                "WEBHOOK_SECRET", "OPERATORS", "AUDIT_KEY", "METRICS_TOKEN",
                "RETENTION_CONFIG", "REGISTER_FILE", "DEMO", "QUEUE"):
        monkeypatch.delenv(f"PUHETURVA_{var}", raising=False)

    def clear() -> None:
        get_settings.cache_clear()
        register._cached.cache_clear()
        retention._cached.cache_clear()

    clear()
    yield data
    clear()
