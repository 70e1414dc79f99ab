"""Celery mode (``PUHETURVA_QUEUE=celery``): the same job rows and stage code, run by workers on any machine.

The database stays the queue's truth and the broker (Redis or RabbitMQ) only carries wake-up calls with a
job id. The webhook commits the job row, then sends ``process_job(job_id)``; a worker claims exactly that
row (``repo_dispatch.claim_job``) and runs ``run_claimed_job``, the code the embedded runner runs.

Delivery is at-least-once on purpose: ``acks_late`` + ``task_reject_on_worker_lost`` give a killed worker's
message back to the broker, prefetch 1 keeps a busy worker from hoarding messages. Whatever gets lost
anyway — a failed enqueue at the webhook, a message that died with its broker — beat's ``recover_jobs``
finds it in the job table (requeues stale jobs, re-sends jobs nobody picked up). Duplicates are harmless:
the claim is a row lock on a claimable row, results are replaced in one transaction.

PostgreSQL only: workers on several machines share the job table (``Settings`` refuses SQLite here).
Redis brokers redeliver an unacknowledged message after ``visibility_timeout``; RabbitMQ closes a channel
whose message stays unacknowledged longer than its ``consumer_timeout`` (30 min by default) — raise it
for recordings that take longer to process on your hardware.

The tasks (``process_job``, beat's ``recover_jobs`` and ``retention_sweep``) live here too, bound to each app by
the factory: they take ids only and open their own database sessions; nothing personal ever crosses the broker
or appears in a task's arguments, result or log line.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from celery import Celery

from models.provenance import utcnow
from service.jobs.context import WorkerContext, context_from_settings
from service.jobs.embedded import reap_stale
from service.jobs.run import run_claimed_job
from service.platform.config import ConfigError
from service.privacy.retention import sweep
from service.store.repo_dispatch import claim_job, take_jobs_to_send
from service.store.repo_jobs import JobLost

log = logging.getLogger(__name__)

JOBS_QUEUE = "puheturva.jobs"  # the default of ``Settings.celery_queue``
TASK_PROCESS = "puheturva.process_job"
TASK_RECOVER = "puheturva.recover_jobs"
TASK_SWEEP = "puheturva.retention_sweep"
SWEEP_EVERY_S = 3600.0
VISIBILITY_TIMEOUT_S = 4 * 3600  # Redis: longer than any job, else a running job's message is re-sent
# The webhook must answer quickly while the broker is down: one quick retry, then beat re-sends later.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.0, "interval_step": 0.2, "interval_max": 0.2}


def recover_every_s(settings: Any) -> float:
    """How often beat looks for lost jobs: half the stale-heartbeat limit, between 1 s and 30 s."""
    return min(max(float(settings.job_stale_after_s) / 2, 1.0), 30.0)


def check_celery_settings(settings: Any) -> None:
    """Raise ``ConfigError`` unless a broker is set and the database is PostgreSQL."""
    if not settings.broker_url:
        raise ConfigError("PUHETURVA_BROKER_URL is required for Celery workers")
    if not str(settings.database_url).startswith("postgresql"):
        raise ConfigError("Celery workers need PostgreSQL (PUHETURVA_DATABASE_URL=postgresql+psycopg://...); "
                          "SQLite is single-node only")


def create_celery(settings: Any) -> Celery:
    """A Celery app bound to ``settings`` (broker, queue, beat schedule) with the tasks registered."""
    check_celery_settings(settings)
    app = Celery("puheturva", broker=settings.broker_url, set_as_current=False)
    queue = settings.celery_queue
    recover_s = recover_every_s(settings)
    app.conf.update(
        task_default_queue=queue,
        task_routes={"puheturva.*": {"queue": queue}},
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        timezone="UTC",
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3.0,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S, "socket_connect_timeout": 3.0,
                                  "socket_timeout": 10.0},
        worker_send_task_events=False,
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        beat_schedule={
            "recover-jobs": {"task": TASK_RECOVER, "schedule": timedelta(seconds=recover_s),
                             "options": {"expires": recover_s * 2}},
            "retention-sweep": {"task": TASK_SWEEP, "schedule": timedelta(seconds=SWEEP_EVERY_S),
                                "options": {"expires": SWEEP_EVERY_S / 2}},
        },
    )
    app.puheturva_settings = settings  # the tasks' settings (the worker's, or a test's)
    register_tasks(app)
    return app


_apps: dict[tuple[str, str], Celery] = {}
_apps_lock = threading.Lock()


def celery_for(settings: Any) -> Celery:
    """One app per (broker, queue) in this process: the API sends through a pooled connection."""
    key = (str(settings.broker_url), settings.celery_queue)
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            app = _apps[key] = create_celery(settings)
        return app


def send_job(app: Celery, job_id: int) -> None:
    """Publish ``process_job(job_id)``; raises what kombu raises when the broker is unreachable."""
    app.send_task(TASK_PROCESS, args=[int(job_id)], queue=app.conf.task_default_queue, retry=True,
                  retry_policy=SEND_RETRY_POLICY)


def enqueue_job(settings: Any, job_id: int) -> bool:
    """Send a committed job to the workers; False (logged, never raised) if the broker refused.

    The job row is already committed as ``queued``, so a failed send loses nothing: beat's
    ``recover_jobs`` sends it once it has sat untouched for ``job_stale_after_s``.
    """
    try:
        send_job(celery_for(settings), job_id)
    except Exception as exc:  # the webhook already answered for a durable job
        log.warning("job %s: enqueue failed (%s); beat will re-send it", job_id, type(exc).__name__)
        return False
    return True


def broker_check(settings: Any) -> str:
    """Readiness: ``ok`` if the broker accepts a connection now, else the error type."""
    try:
        with celery_for(settings).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception as exc:  # any failure means not ready
        return type(exc).__name__
    return "ok"


def worker_argv(settings: Any, *, concurrency: int, beat: bool, pool: str, loglevel: str,
                node: str) -> list[str]:
    """Arguments of ``Celery.worker_main`` for ``puheturva worker``."""
    argv = ["worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}",
            f"--queues={settings.celery_queue}", f"--hostname={node}", "--without-gossip", "--without-mingle"]
    if beat:
        argv.append("--beat")
    return argv


# -- the tasks ------------------------------------------------------------------------------------------------
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
    ctx = worker_context(app)
    with ctx.db.session() as s:
        report = sweep(s, ctx.blobs)
    return {"deleted": len(report.deleted), "calls_purged": len(report.calls_purged)}


def register_tasks(app: Celery) -> None:
    """Bind the tasks to ``app`` under their fixed names (the factory calls this)."""

    # Celery ships no type hints: its decorator returns an untyped task.
    @app.task(name=TASK_PROCESS, bind=True, acks_late=True, reject_on_worker_lost=True,  # type: ignore[untyped-decorator]
              ignore_result=True)
    def _process(self: Any, job_id: int) -> str:
        return process_job(self.app, int(job_id))

    @app.task(name=TASK_RECOVER, bind=True, ignore_result=True)  # type: ignore[untyped-decorator]
    def _recover(self: Any) -> dict[str, int]:
        return recover_jobs(self.app)

    @app.task(name=TASK_SWEEP, bind=True, ignore_result=True)  # type: ignore[untyped-decorator]
    def _sweep(self: Any) -> dict[str, int]:
        return retention_sweep(self.app)
