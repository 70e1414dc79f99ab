"""The Celery tasks: ``process_job`` (one job by id) and beat's ``recover_jobs`` and ``retention_sweep``.

Tasks take ids only and open their own database sessions; nothing personal ever crosses the broker or
appears in a task's arguments, result or log line.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from celery import Celery

from models.provenance import utcnow
from service.jobs.celery_app import TASK_PROCESS, TASK_RECOVER, TASK_SWEEP, send_job
from service.jobs.context import WorkerContext, context_from_settings
from service.store.repo_dispatch import claim_job, take_jobs_to_send
from service.store.repo_jobs import JobLost

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"celery-{socket.gethostname()}-{os.getpid()}"


def worker_context(app: Celery) -> WorkerContext:
    """The app's context in this process, made on first use: a prefork child must not reuse the
    connections of the process it was forked from."""
    cached = getattr(app, "_puheturva_ctx", None)
    if cached is None or cached[0] != os.getpid():
        cached = (os.getpid(), context_from_settings(app.puheturva_settings))
        app._puheturva_ctx = cached
    return cached[1]


def process_job(app: Celery, job_id: int) -> str:
    """Claim job ``job_id`` and run it; ``skipped`` when it is done, running elsewhere or not yet due."""
    from service.jobs.run import run_claimed_job

    ctx = worker_context(app)
    _ = ctx.pipeline  # load the models before claiming: a claimed job must not wait without a heartbeat
    wid = worker_id()
    with ctx.db.session() as s:
        claimed = claim_job(s, job_id, wid) is not None
    if not claimed:
        log.info("job %s not claimable (done, taken or not due); message dropped", job_id)
        return "skipped"
    try:
        run_claimed_job(ctx, job_id, wid)
    except JobLost:
        log.warning("job %s was taken over (this worker was presumed lost)", job_id)
        return "lost"
    return "ran"


def recover_jobs(app: Celery) -> dict[str, int]:
    """Requeue jobs of lost workers, then send messages for due jobs that have none (beat, periodically)."""
    from service.jobs.embedded import reap_stale

    settings = app.puheturva_settings
    ctx = worker_context(app)
    requeued = reap_stale(ctx)
    # Right after requeueing, send at once; otherwise only for jobs untouched for a stale period.
    quiet = 0.0 if requeued else settings.job_stale_after_s
    with ctx.db.session() as s:
        now = utcnow()
        ids = take_jobs_to_send(s, quiet_since=now - timedelta(seconds=quiet), now=now)
        for job_id in ids:
            send_job(app, job_id)
    if ids:
        log.info("re-sent %d job(s) without a live message", len(ids))
    return {"requeued": requeued, "sent": len(ids)}


def retention_sweep(app: Celery) -> dict[str, int]:
    """Delete what retention says is due (beat, hourly): the embedded mode's sweeper thread, in Celery."""
    from service.retention import sweep

    ctx = worker_context(app)
    with ctx.db.session() as s:
        report = sweep(s, ctx.blobs)
    return {"deleted": len(report.deleted), "calls_purged": len(report.calls_purged)}


def register_tasks(app: Celery) -> None:
    """Bind the tasks to ``app`` under their fixed names (the factory calls this)."""

    @app.task(name=TASK_PROCESS, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def _process(self: Any, job_id: int) -> str:
        return process_job(self.app, int(job_id))

    @app.task(name=TASK_RECOVER, bind=True, ignore_result=True)
    def _recover(self: Any) -> dict[str, int]:
        return recover_jobs(self.app)

    @app.task(name=TASK_SWEEP, bind=True, ignore_result=True)
    def _sweep(self: Any) -> dict[str, int]:
        return retention_sweep(self.app)
