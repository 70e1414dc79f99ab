"""Job-row operations that Celery mode adds to ``repo_jobs``: claim one named job, pick jobs to (re)send.

In Celery mode a broker message is only a wake-up call carrying a job id; the job row stays the truth. A
worker claims exactly the job its message names, with the same transition as ``claim_next_job`` (owner,
heartbeat, attempt count), so a duplicate or late message — broker redelivery after a lost worker, a beat
re-send — finds the job running or done and does nothing. That is what makes at-least-once delivery yield
exactly-once results.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.kinds import CLAIMABLE_STATES, JobState
from service.store.models import Job
from service.store.repo_jobs import unrestricted_call

_CLAIMABLE = sorted(s.value for s in CLAIMABLE_STATES)


def claim_job(session: Session, job_id: int, worker_id: str, now: datetime | None = None) -> Job | None:
    """Claim job ``job_id`` for ``worker_id`` if it is claimable, due and its call is not restricted;
    None otherwise. Caller commits.

    ``SKIP LOCKED``: two workers holding messages for the same job do not wait on each other; the loser sees
    no row and leaves the job to the winner.
    """
    now = now or utcnow()
    job = session.scalars(
        select(Job)
        .where(Job.id == job_id, Job.state.in_(_CLAIMABLE), Job.next_attempt_at <= now, unrestricted_call())
        .with_for_update(skip_locked=True)
    ).first()
    if job is None:
        return None
    job.state = JobState.TRANSCRIBING.value  # the same transition as repo_jobs.claim_next_job
    job.locked_by = worker_id
    job.heartbeat_at = now
    job.attempts += 1
    job.updated_at = now
    session.flush()
    return job


def take_jobs_to_send(session: Session, *, quiet_since: datetime, now: datetime | None = None,
                      limit: int = 1000) -> list[int]:
    """Ids of due, claimable jobs that need a (new) broker message; marks them sent (``updated_at``).

    A job needs one when it is due and either nobody touched it since its retry time was set (a failed
    attempt's back-off just ran out) or it has sat untouched since ``quiet_since`` (the webhook's enqueue
    failed, or its message was lost). The caller sends the messages and then commits; a crash in between
    rolls the marks back and the next round sends again (a duplicate message is harmless, see above).
    """
    now = now or utcnow()
    jobs = session.scalars(
        select(Job)
        .where(Job.state.in_(_CLAIMABLE), Job.next_attempt_at <= now, unrestricted_call(),
               or_(Job.updated_at < Job.next_attempt_at, Job.updated_at <= quiet_since))
        .order_by(Job.next_attempt_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for job in jobs:
        job.updated_at = now
    session.flush()
    return [job.id for job in jobs]
