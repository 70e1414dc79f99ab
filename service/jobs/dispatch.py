"""Telling the workers a committed job is waiting: wake the embedded worker processes, or send a Celery message.

The job row is already committed as ``queued`` when this runs, so dispatching is only a wake-up call: if it
is lost, the embedded runner's poll or Celery beat's ``recover_jobs`` still finds the job.
"""

from __future__ import annotations

from typing import Protocol

from service.jobs.context import WorkerContext


class Waker(Protocol):
    """The embedded worker processes (``WorkerPool``), as dispatch sees it."""

    def wake(self) -> None: ...


def dispatch(ctx: WorkerContext, job_id: int | None, runner: Waker | None = None) -> None:
    """Wake ``runner`` (the embedded worker processes) or, in Celery mode, enqueue ``job_id``.

    Neither (embedded mode without worker processes): the job waits for a runner to poll the table. Blocks on
    the broker in Celery mode (one quick retry), so call it off the event loop.
    """
    if runner is not None:
        runner.wake()
    elif ctx.settings.queue == "celery" and job_id is not None:
        from service.jobs.celery_app import enqueue_job  # Celery only where it is used

        enqueue_job(ctx.settings, job_id)
