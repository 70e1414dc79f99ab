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
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from celery import Celery

from service.config import ConfigError

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
    return min(max(settings.job_stale_after_s / 2, 1.0), 30.0)


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
    from service.jobs.tasks import register_tasks

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
