"""The Celery-mode job operations without ASR: claiming one named job, choosing jobs to (re)send, beat's
recovery putting a real message on a real broker, and the refusal to run Celery on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.store.db import Database, open_database
from service.store.models import Job
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job
from service.store.repo_dispatch import claim_job, take_jobs_to_send
from service.store.repo_jobs import fail_job
from tests.scale.cluster import REDIS_ENV, service_url

pytest.importorskip("celery", reason="Celery mode needs celery[redis] (pip install 'celery[redis]')")
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.dispose()


def new_job(db: Database, now: datetime = T0) -> int:
    with db.session() as s:
        res = create_call_with_job(s, client="default", external_id=f"ext-{uuid.uuid4().hex[:8]}",
                                   audio_sha256="a" * 64, meta=CallMeta(direction="inbound"), now=now)
        return res.job.id


def test_claim_job_takes_that_job_once(db: Database) -> None:
    first, second = new_job(db), new_job(db)
    with db.session() as s:
        job = claim_job(s, second, "w1", now=T0)
        assert job is not None and (job.state, job.locked_by, job.attempts) == ("transcribing", "w1", 1)
    with db.session() as s:
        assert claim_job(s, second, "w2", now=T0) is None, "a duplicate message finds it taken"
        assert s.get(Job, first).state == "queued", "only the named job is claimed"
        assert claim_job(s, 999_999, "w2", now=T0) is None


def test_claim_job_waits_for_the_retry_time(db: Database) -> None:
    job_id = new_job(db)
    with db.session() as s:
        claim_job(s, job_id, "w1", now=T0)
    with db.session() as s:
        fail_job(s, job_id, "transcribing: RuntimeError", max_attempts=3, worker_id="w1", now=T0)
    with db.session() as s:
        assert claim_job(s, job_id, "w2", now=T0 + timedelta(seconds=10)) is None, "back-off not over"
    with db.session() as s:
        assert claim_job(s, job_id, "w2", now=T0 + timedelta(seconds=31)) is not None


def test_jobs_to_send(db: Database) -> None:
    fresh = new_job(db)
    retry = new_job(db)
    with db.session() as s:
        claim_job(s, retry, "w1", now=T0)
        fail_job(s, retry, "transcribing: RuntimeError", max_attempts=3, worker_id="w1", now=T0)
    soon = T0 + timedelta(seconds=5)
    with db.session() as s:  # the webhook just sent the fresh one; the retry is not due yet
        assert take_jobs_to_send(s, quiet_since=soon - timedelta(seconds=60), now=soon) == []
    due = T0 + timedelta(seconds=31)
    with db.session() as s:  # back-off over: sent at once, without waiting for the quiet period
        assert take_jobs_to_send(s, quiet_since=due - timedelta(seconds=60), now=due) == [retry]
    with db.session() as s:
        assert take_jobs_to_send(s, quiet_since=due - timedelta(seconds=60), now=due) == []
    late = T0 + timedelta(seconds=120)
    with db.session() as s:  # both untouched for 60 s: their messages may be lost, send again
        assert sorted(take_jobs_to_send(s, quiet_since=late - timedelta(seconds=60), now=late)) == sorted(
            [fresh, retry])
    with db.session() as s:
        claim_job(s, fresh, "w2", now=late)
    much_later = late + timedelta(hours=1)
    with db.session() as s:  # a running job is never sent (the reaper handles lost workers)
        assert take_jobs_to_send(s, quiet_since=much_later, now=much_later) == [retry]


def test_recover_requeues_a_lost_job_and_sends_it(db: Database, pg_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kombu import Connection

    from service.jobs.celery_app import create_celery, recover_jobs
    from tests.scale.cluster import Cluster

    broker = service_url(REDIS_ENV)
    cluster = Cluster(tmp_path, pg_url, broker, monkeypatch, PUHETURVA_JOB_STALE_AFTER_S="5")
    app = None
    try:
        job_id = new_job(db)
        with db.session() as s:
            claim_job(s, job_id, "celery-gone-1", now=T0)  # heartbeat long stale: its worker vanished
        app = create_celery(cluster.settings())
        assert recover_jobs(app) == {"requeued": 1, "sent": 1}
        with db.session() as s:
            job = s.get(Job, job_id)
            assert (job.state, job.locked_by) == ("queued", None)
        with Connection(broker) as conn:
            queue = conn.SimpleQueue(cluster.queue)
            message = queue.get(timeout=5)
            assert message.headers["task"] == "puheturva.process_job"
            assert message.decode()[0] == [job_id]  # ids only on the broker
            message.ack()
            queue.close()
        assert recover_jobs(app) == {"requeued": 0, "sent": 0}
    finally:
        if app is not None and getattr(app, "_puheturva_ctx", None):
            app._puheturva_ctx[1].db.dispose()
        cluster.stop()


def test_celery_mode_refuses_sqlite(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.cli import app
    from service.platform.config import ConfigError, Settings, get_settings

    monkeypatch.setenv("PUHETURVA_QUEUE", "celery")
    monkeypatch.setenv("PUHETURVA_BROKER_URL", "redis://127.0.0.1:6379/15")
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        Settings()
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code != 0 and "PostgreSQL" in result.output
    monkeypatch.setenv("PUHETURVA_QUEUE", "embedded")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code != 0 and "PUHETURVA_QUEUE=celery" in result.output


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from service.platform.config import get_settings

    monkeypatch.setenv("PUHETURVA_DATA_DIR", str(tmp_path / "var"))
    for var in ("DATABASE_URL", "ENVIRONMENT", "QUEUE", "BROKER_URL", "BLOB_BACKEND"):
        monkeypatch.delenv(f"PUHETURVA_{var}", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()
