"""The embedded default's job loop: poll the durable job rows, claim one, run it; reap jobs of lost workers.

It runs in worker processes of its own (``service.jobs.worker_process``), never in the API process: a
transcribing worker holds the CPU and the interpreter for seconds at a time, and the webhook must not wait
behind it. Nothing is held only in memory: a job is a database row from the moment the webhook answers 202,
a worker claims it in a transaction, and a process killed mid-job leaves a row whose heartbeat goes stale;
the reaper (in every worker, periodically and at start) puts it back in the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import Protocol

from models.provenance import utcnow
from service.jobs.context import WorkerContext
from service.jobs.run import run_claimed_job
from service.store.repo_jobs import claim_next_job, requeue_stale_jobs

log = logging.getLogger(__name__)
POLL_S = 1.0
REAP_EVERY_S = 10.0


class Signal(Protocol):
    """A ``threading.Event`` or a ``multiprocessing`` one: what the loop waits on."""

    def is_set(self) -> bool: ...
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def worker_id(n: int) -> str:
    """Unique per process and slot; the pid in it lets an operator (or a test) find the process of a job."""
    return f"embedded-{socket.gethostname()}-{os.getpid()}-{n}"


def reap_stale(ctx: WorkerContext) -> int:
    """Requeue running jobs whose worker stopped sending heartbeats (crash, SIGKILL, lost machine)."""
    stale_after = timedelta(seconds=ctx.settings.job_stale_after_s)
    with ctx.db.session() as s:
        n = requeue_stale_jobs(s, utcnow() - stale_after, max_attempts=ctx.settings.job_max_attempts)
    if n:
        log.warning("requeued %d job(s) left by a lost worker", n)
    return n


def claim_and_run(ctx: WorkerContext, wid: str) -> bool:
    """Claim one job and run it; False when the queue had nothing ready."""
    with ctx.db.session() as s:
        job = claim_next_job(s, wid)
        job_id = job.id if job else None
    if job_id is None:
        return False
    run_claimed_job(ctx, job_id, wid)
    return True


def run_loop(ctx: WorkerContext, wid: str, stop: Signal | threading.Event,
             wake: Signal | threading.Event) -> None:
    """Work until ``stop`` is set: run jobs back to back, otherwise sleep ``POLL_S`` or until ``wake``."""
    last_reap = float("-inf")
    while not stop.is_set():
        try:
            if time.monotonic() - last_reap > REAP_EVERY_S:
                last_reap = time.monotonic()
                reap_stale(ctx)
            if claim_and_run(ctx, wid):
                continue
        except Exception as exc:
            log.error("worker %s: %s", wid, type(exc).__name__)
        wake.wait(POLL_S)
        wake.clear()
