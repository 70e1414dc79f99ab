"""The embedded default: worker threads inside the API process, fed from the same durable job rows.

Nothing is held only in memory: a job is a database row from the moment the webhook answers 202, a worker
claims it in a transaction, and a process killed mid-job leaves a row whose heartbeat goes stale; the
reaper (in every runner, periodically and at start) puts it back in the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from models.provenance import utcnow
from service.jobs.context import WorkerContext
from service.jobs.run import run_claimed_job
from service.store.repo_jobs import claim_next_job, requeue_stale_jobs

log = logging.getLogger(__name__)
POLL_S = 1.0
REAP_EVERY_S = 10.0


def worker_id(n: int) -> str:
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


class EmbeddedRunner:
    """``threads`` workers polling the job table; ``wake()`` after an ingest cuts the wait."""

    def __init__(self, ctx: WorkerContext, threads: int) -> None:
        self.ctx, self.n = ctx, threads
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        reap_stale(self.ctx)
        for i in range(self.n):
            t = threading.Thread(target=self._loop, args=(worker_id(i),), name=f"puheturva-worker-{i}",
                                 daemon=True)
            t.start()
            self._threads.append(t)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)

    def _loop(self, wid: str) -> None:
        last_reap = 0.0
        import time

        while not self._stop.is_set():
            try:
                if time.monotonic() - last_reap > REAP_EVERY_S:
                    last_reap = time.monotonic()
                    reap_stale(self.ctx)
                if claim_and_run(self.ctx, wid):
                    continue
            except Exception as exc:
                log.error("worker %s: %s", wid, type(exc).__name__)
            self._wake.wait(POLL_S)
            self._wake.clear()
