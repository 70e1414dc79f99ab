"""The job queue: claim order, no job handed to two claimers, retries, resume after a lost worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from service.store.db import Database
from service.store.repo_jobs import (
    JobLost,
    claim_next_job,
    enqueue_job,
    fail_job,
    get_job,
    heartbeat,
    job_counts,
    mark_job,
    requeue_stale_jobs,
)
from tests.service.conftest import NOW


def test_claim_takes_oldest_and_marks_running(session: Session, make_call) -> None:
    first, second = make_call(session), make_call(session)
    job = claim_next_job(session, "w1", now=NOW)
    session.commit()
    assert job is not None and job.call_id == first
    assert (job.state, job.locked_by, job.attempts) == ("transcribing", "w1", 1)
    assert claim_next_job(session, "w2", now=NOW).call_id == second
    assert claim_next_job(session, "w3", now=NOW) is None


def test_enqueue_returns_active_job(session: Session, make_call) -> None:
    call_id = make_call(session)
    job = enqueue_job(session, call_id)
    assert enqueue_job(session, call_id).id == job.id  # the webhook's job is still queued


def test_no_job_is_handed_to_two_claimers(db: Database, make_call) -> None:
    with db.session() as s:
        for _ in range(12):
            make_call(s)
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        while True:
            with db.session() as s:
                job = claim_next_job(s, name, now=NOW)
                if job is None:
                    return
                with lock:
                    claimed.append(job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 12 and len(set(claimed)) == 12


def test_failures_back_off_then_die(session: Session, make_call) -> None:
    make_call(session)
    job = claim_next_job(session, "w", now=NOW)
    fail_job(session, job.id, "AsrError in transcribing", max_attempts=2, worker_id="w", now=NOW,
             backoff_s=10)
    session.commit()
    assert (job.state, job.locked_by, job.last_error) == ("failed", None, "AsrError in transcribing")
    assert job.next_attempt_at == NOW + timedelta(seconds=10)
    assert claim_next_job(session, "w", now=NOW) is None  # not yet
    again = claim_next_job(session, "w", now=NOW + timedelta(seconds=10))
    assert again.id == job.id and again.attempts == 2
    fail_job(session, job.id, "AsrError in transcribing", max_attempts=2, worker_id="w", now=NOW)
    assert job.state == "dead" and job.finished_at == NOW
    assert job_counts(session)["dead"] == 1


def test_stale_job_is_requeued_and_old_worker_loses_it(session: Session, make_call) -> None:
    make_call(session)
    job = claim_next_job(session, "w-old", now=NOW)
    mark_job(session, job.id, "redacting", worker_id="w-old", now=NOW)
    session.commit()
    assert requeue_stale_jobs(session, older_than=NOW - timedelta(minutes=5)) == 0
    assert requeue_stale_jobs(session, older_than=NOW + timedelta(minutes=5), now=NOW) == 1
    session.commit()
    assert (job.state, job.locked_by) == ("queued", None)
    assert claim_next_job(session, "w-new", now=NOW).id == job.id
    with pytest.raises(JobLost):
        heartbeat(session, job.id, "w-old")
    with pytest.raises(JobLost):
        mark_job(session, job.id, "done", worker_id="w-old")
    mark_job(session, job.id, "done", worker_id="w-new", now=NOW)
    assert (get_job(session, job.id).state, job.finished_at) == ("done", NOW)


def test_job_that_keeps_killing_workers_goes_dead(session: Session, make_call) -> None:
    make_call(session)
    job = claim_next_job(session, "w", now=NOW)
    requeue_stale_jobs(session, older_than=NOW + timedelta(seconds=1), max_attempts=1, now=NOW)
    assert job.state == "dead"
