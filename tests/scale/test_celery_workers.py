"""Celery mode end to end: signed webhooks into the API, ``puheturva worker`` processes doing the work.

Every job must be done exactly once — one set of result rows and one ``job.done`` audit entry per call —
with two workers competing, after a worker is SIGKILLed mid-job, and when the webhook could not enqueue.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.privacy.audit import verify as verify_audit
from service.store.db import open_database
from service.store.models import Artefact, AuditEntry, Call, Job, Provenance, Turn
from tests.scale.cluster import AMQP_ENV, DATA, REDIS_ENV, Cluster, free_port, service_url, wait_for

pytest.importorskip("celery", reason="Celery mode needs celery[redis] (pip install 'celery[redis]')")
pytestmark = [pytest.mark.scale, pytest.mark.slow, pytest.mark.postgres]
GOLD = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))
CLIPS = ("phone.wav", "hetu.wav", "name.wav")


def post_calls(client: TestClient, clips: Iterable[str], prefix: str) -> list[str]:
    ids = []
    for i, clip in enumerate(clips):
        external = f"{prefix}-{i}"
        meta = {"call_id": external, "direction": "inbound", "queue": "laskutus", "agent_id": "a-1"}
        req = signed_call(DEV_WEBHOOK_SECRET, meta, (DATA / clip).read_bytes())
        res = client.post("/v1/calls", content=req.body, headers=req.headers)
        assert res.status_code == 202, res.text
        ids.append(external)
    return ids


def job_states(cluster: Cluster) -> dict[str, str]:
    with cluster.db.session() as s:
        return {ext: state for ext, state in s.execute(select(Call.external_id, Job.state).join(Job))}


def wait_all_done(cluster: Cluster, n: int, timeout: float = 420) -> None:
    def done() -> bool:
        states = job_states(cluster)
        assert not {"dead"} & set(states.values()), (states, cluster.logs())
        return len(states) == n and set(states.values()) == {"done"}

    wait_for(done, timeout, f"{n} jobs to be done", cluster.logs, every=1)


def assert_exactly_once(cluster: Cluster, n: int, attempts: int | None = 1) -> None:
    """One job per call, done; per call one set of turns, artefacts and stage records; one job.done each."""
    with cluster.db.session() as s:
        jobs = list(s.scalars(select(Job)))
        assert len(jobs) == n and {j.state for j in jobs} == {"done"}
        if attempts is not None:
            assert {j.attempts for j in jobs} == {attempts}
        for call_id in [j.call_id for j in jobs]:
            idx = list(s.scalars(select(Turn.idx).where(Turn.call_id == call_id)))
            assert idx and len(idx) == len(set(idx))
            kinds = list(s.scalars(select(Artefact.kind).where(Artefact.call_id == call_id,
                                                               Artefact.deleted_at.is_(None))))
            assert len(kinds) == len(set(kinds)) and "redacted_audio" in kinds
            stages = Counter(s.scalars(select(Provenance.stage).where(Provenance.call_id == call_id)))
            assert stages["redact_audio"] == 1 and stages["classify"] == 1
        done = Counter(a.object_id for a in s.scalars(select(AuditEntry).where(AuditEntry.action == "job.done")))
        assert sorted(done.values()) == [1] * n
        assert verify_audit(s).ok


def assert_clean_logs(cluster: Cluster, clips: Iterable[str]) -> None:
    text = cluster.logs()
    assert "Traceback" not in text
    for clip in clips:
        for ident in GOLD[clip]["identifiers"]:
            assert ident["value"] not in text


def test_two_workers_process_every_call_exactly_once(make_cluster) -> None:
    cluster = make_cluster(service_url(REDIS_ENV))
    settings = cluster.settings()
    metrics_port = free_port()
    a = cluster.start_worker("--beat", "--metrics-port", str(metrics_port))
    b = cluster.start_worker()
    cluster.db = open_database(settings.database_url)
    with TestClient(create_app(settings)) as client:
        assert client.app.state.runner is None, "celery mode starts no embedded worker threads"
        post_calls(client, CLIPS, "pbx-scale")
        ready = client.get("/readyz").json()
        assert ready["checks"]["broker"] == "ok", ready
    wait_all_done(cluster, len(CLIPS))
    assert_exactly_once(cluster, len(CLIPS))
    for proc in (a, b):  # prefetch 1: with both up before the calls came, each took work
        assert "'ran'" in cluster.log(proc), cluster.logs()
    # The worker's own /metrics aggregates its pool processes (prometheus multiprocess mode).
    scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    ran = cluster.log(a).count("'ran'")
    assert f'puheturva_jobs_finished_total{{outcome="done"}} {float(ran)}' in scraped, scraped[-3000:]
    assert 'puheturva_stage_duration_seconds_count{stage="transcribe"}' in scraped
    assert_clean_logs(cluster, CLIPS)


def test_sigkilled_worker_job_is_redelivered_and_finished_once(make_cluster) -> None:
    cluster = make_cluster(service_url(REDIS_ENV), PUHETURVA_JOB_STALE_AFTER_S="8")
    settings = cluster.settings()
    doomed = cluster.start_worker()
    cluster.db = open_database(settings.database_url)
    with TestClient(create_app(settings)) as client:
        post_calls(client, ["hetu.wav"], "pbx-kill")

    def running() -> str | None:
        with cluster.db.session() as s:
            job = s.scalars(select(Job)).one()
            return job.locked_by if job.state not in ("queued", "done") else None

    owner = wait_for(running, 180, "the first worker to take the job", cluster.logs, every=0.1)
    cluster.kill(doomed)
    with cluster.db.session() as s:
        job = s.scalars(select(Job)).one()
        assert job.state != "done" and job.locked_by == owner, "killed mid-job"
    cluster.start_worker("--beat")  # its beat finds the stale job, requeues it and sends it again
    wait_all_done(cluster, 1)
    assert_exactly_once(cluster, 1, attempts=2)
    with cluster.db.session() as s:
        assert s.scalars(select(Job)).one().last_error is None
    assert_clean_logs(cluster, ["hetu.wav"])


def test_rabbitmq_and_a_failed_enqueue_loses_nothing(make_cluster) -> None:
    good = service_url(AMQP_ENV)
    cluster = make_cluster(good, PUHETURVA_JOB_STALE_AFTER_S="4")
    dead_broker = "amqp://guest:guest@127.0.0.1:9//"  # nothing listens on port 9 here
    with TestClient(create_app(cluster.settings(PUHETURVA_BROKER_URL=dead_broker))) as client:
        started = time.monotonic()
        post_calls(client, ["name.wav"], "pbx-lost-enqueue")  # 202: the job row is durable
        assert time.monotonic() - started < 15
        assert client.get("/readyz").json()["checks"]["broker"] != "ok"
    settings = cluster.settings()
    cluster.db = open_database(settings.database_url)
    with TestClient(create_app(settings)) as client:
        post_calls(client, ["phone.wav"], "pbx-amqp")
    assert set(job_states(cluster).values()) == {"queued"}
    cluster.start_worker("--beat")
    wait_all_done(cluster, 2)
    assert_exactly_once(cluster, 2)
    assert_clean_logs(cluster, ["name.wav", "phone.wav"])
