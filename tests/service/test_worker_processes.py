"""The embedded default with its workers in processes of their own (issue 15), tested on real servers.

``puheturva serve`` runs as a real process; its worker processes load the real models. Asserted: the job is
transcribed by a child process at lower priority while the API process answers (and never loads the model);
the worker's job metrics reach the API's ``/metrics``; the webhook says 503 + Retry-After past the queue
limits and stores nothing; and no call is lost when either the worker process or the API process is killed.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store.db import Database, open_database
from service.store.models import Call, Job
from tests.service.server_process import Served, clean_env, free_port, serve

DATA = Path(__file__).resolve().parents[1] / "data"
STEREO = (DATA / "call_stereo.wav").read_bytes()
PHONE = (DATA / "phone.wav").read_bytes()
META = {"direction": "inbound", "channels": {"0": "agent", "1": "customer"}}


def post(base: str, call_id: str, audio: bytes) -> httpx.Response:
    req = signed_call(DEV_WEBHOOK_SECRET, {**META, "call_id": call_id}, audio)
    return httpx.post(base + "/v1/calls", content=req.body, headers=req.headers, timeout=60)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def the_job(db: Database) -> Job:
    with db.session() as s:
        job = s.scalars(select(Job)).one()
        s.expunge(job)
        return job


def worker_pid(job: Job) -> int:
    """The pid in the claiming worker's id (``embedded-<host>-<pid>-<n>``)."""
    assert job.locked_by and job.locked_by.startswith("embedded-"), job.locked_by
    return int(job.locked_by.rsplit("-", 2)[1])


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def rss_mb(pid: int) -> float:
    line = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def scrape(base: str) -> str:
    res = httpx.get(base + "/metrics", timeout=30)
    assert res.status_code == 200
    return res.text


# --- a worker process transcribes while the API answers -----------------------------------------------------

@pytest.mark.slow
def test_a_worker_process_transcribes_at_lower_priority_while_the_api_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'puheturva.db'}"
    env = clean_env(tmp_path / "var", DATABASE_URL=url, WORKER_PROCESSES="1", WORKER_NICE="7")
    with serve(env, tmp_path / "server.log", timeout=180) as served:
        assert served.proc.poll() is None, served.output
        assert post(served.base, "pbx-proc-1", STEREO).status_code == 202
        db = open_database(url, run_migrations=False)
        try:
            job = wait_for(lambda: (j := the_job(db)).state == "transcribing" and j, 120, "the job to start")
            pid = worker_pid(job)
            assert pid != served.proc.pid and parent_of(pid) == served.proc.pid, "a child process runs it"
            assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, served.proc.pid) + 7
            # While it transcribes, the API answers and accepts more work.
            assert httpx.get(served.base + "/healthz", timeout=10).status_code == 200
            assert post(served.base, "pbx-proc-2", PHONE).status_code == 202
            # The models (ASR weights, spaCy) live in the worker: the API process stays far smaller.
            api_mb, worker_mb = rss_mb(served.proc.pid), rss_mb(pid)
            assert api_mb + 150 < worker_mb, (api_mb, worker_mb)
            wait_for(lambda: _states(db) == {"done": 2}, 600, "both calls to be processed", every=1)
        finally:
            db.dispose()
        text = scrape(served.base)
    assert 'puheturva_jobs_finished_total{outcome="done"} 2.0' in text, "the worker's counters reach /metrics"
    assert 'puheturva_stage_duration_seconds_count{stage="transcribe"}' in text
    assert 'puheturva_webhook_requests_total{status="202"} 2.0' in text, "the API's own series stay"
    assert text.count("# TYPE puheturva_jobs_finished_total counter") <= 1
    assert "puheturva_queue_depth 0.0" in text
    assert "Traceback" not in served.output


def _states(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {state: int(n) for state, n in s.execute(select(Job.state, func.count()).group_by(Job.state))}


# --- back-pressure -----------------------------------------------------------------------------------------

def _calls(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Call)) or 0)


def _api_only(tmp_path: Path, db_url: str, **limits: str) -> tuple[dict[str, str], Path]:
    return clean_env(tmp_path / "var", DATABASE_URL=db_url, WORKER_PROCESSES="0", **limits), tmp_path / "api.log"


def test_webhook_answers_503_with_retry_after_past_the_depth_limit_and_stores_nothing(
        tmp_path: Path, db_url: str) -> None:
    env, log = _api_only(tmp_path, db_url, MAX_QUEUE_DEPTH="2", MAX_QUEUE_AGE_S="0")
    with serve(env, log) as served:
        assert served.proc.poll() is None, served.output
        for n in (1, 2):
            assert post(served.base, f"pbx-bp-{n}", PHONE).status_code == 202
        time.sleep(1.1)  # the gate reads the queue at most once a second
        db = open_database(db_url, run_migrations=False)
        try:
            blobs = sorted(p for p in (tmp_path / "var" / "blobs").rglob("*") if p.is_file())
            refused = post(served.base, "pbx-bp-3", PHONE)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "queue_full" and int(refused.headers["retry-after"]) > 0
            assert _calls(db) == 2, "nothing is stored for a refused delivery"
            assert sorted(p for p in (tmp_path / "var" / "blobs").rglob("*") if p.is_file()) == blobs
            text = scrape(served.base)
            assert "puheturva_queue_depth 2.0" in text
            assert 'puheturva_webhook_requests_total{status="503"} 1.0' in text
            # Once a worker takes a job, the queue is under the limit again and the retry is accepted.
            with db.session() as s:
                job = s.scalars(select(Job).order_by(Job.id).limit(1)).one()
                job.state = "transcribing"
                job.locked_by = "test"
            time.sleep(1.1)
            assert post(served.base, "pbx-bp-3", PHONE).status_code == 202
            assert _calls(db) == 3
        finally:
            db.dispose()


def test_webhook_answers_503_past_the_age_limit_and_the_gauge_shows_the_age(tmp_path: Path, db_url: str) -> None:
    env, log = _api_only(tmp_path, db_url, MAX_QUEUE_DEPTH="0", MAX_QUEUE_AGE_S="2")
    with serve(env, log) as served:
        assert served.proc.poll() is None, served.output
        assert post(served.base, "pbx-age-1", PHONE).status_code == 202
        assert post(served.base, "pbx-age-2", PHONE).status_code == 202, "a young queue is no reason to refuse"
        time.sleep(3.2)
        refused = post(served.base, "pbx-age-3", PHONE)
        assert refused.status_code == 503 and refused.headers["retry-after"], refused.text
        text = scrape(served.base)
        age = next(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith("puheturva_queue_oldest_age_seconds "))
        assert age >= 3.0
        db = open_database(db_url, run_migrations=False)
        try:
            assert _calls(db) == 2
        finally:
            db.dispose()


# --- SIGKILL of the worker process, then of the API process: the call is still done, once --------------------

@pytest.mark.slow
def test_no_call_is_lost_when_the_worker_or_the_api_process_is_killed(tmp_path: Path, db_url: str) -> None:
    env = clean_env(tmp_path / "var", DATABASE_URL=db_url, WORKER_PROCESSES="1", JOB_STALE_AFTER_S="3",
                    JOB_MAX_ATTEMPTS="5")
    port = free_port()
    db = open_database(db_url)
    try:
        with serve(env, tmp_path / "server.log", port=port, timeout=180) as served:
            assert post(served.base, "pbx-kill-proc", STEREO).status_code == 202
            first = _running(db)
            os.kill(worker_pid(first), signal.SIGKILL)  # the worker process dies mid-job
            second = _running(db, attempts=2)  # a restarted worker took it again, after the stale heartbeat
            assert worker_pid(second) != worker_pid(first) and parent_of(worker_pid(second)) == served.proc.pid
            served.proc.send_signal(signal.SIGKILL)  # now the API process dies mid-job
            served.proc.wait(10)
            wait_for(lambda: not alive(worker_pid(second)), 10, "the orphaned worker to exit")
            assert the_job(db).state == "transcribing", "nobody finished it meanwhile"
            _assert_restarted(served)
        with serve(env, tmp_path / "server.log", port=port, timeout=180) as again:
            wait_for(lambda: the_job(db).state == "done", 600, "the job to be finished after the restart", every=1)
            job = the_job(db)
            assert job.attempts == 3 and _calls(db) == 1
            assert "Traceback" not in again.output
    finally:
        db.dispose()


def _running(db: Database, attempts: int = 1) -> Job:
    def running() -> Job | None:
        job = the_job(db)
        return job if job.state == "transcribing" and job.attempts == attempts and job.locked_by else None

    return wait_for(running, 180, f"attempt {attempts} to be running")


def _assert_restarted(served: Served) -> None:
    assert "worker process 0 died" in served.output, served.output[-2000:]
