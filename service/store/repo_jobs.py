"""The job queue in the database: claim, heartbeat, stage transitions, retries, resume after a crash.

A job is claimable when ``queued`` (or ``failed`` with its retry time reached). Claiming marks it running
under the worker's id; every later transition checks that the worker still owns it, so a worker that was
presumed dead (and whose job was requeued) cannot overwrite the new owner's progress.

Commit right after ``claim_next_job``: on PostgreSQL the claimed row stays locked until then.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.kinds import ACTIVE_STATES, CLAIMABLE_STATES, RUNNING_STATES, JobState
from service.store.models import Call, Job

_CLAIMABLE = sorted(s.value for s in CLAIMABLE_STATES)
_RUNNING = sorted(s.value for s in RUNNING_STATES)
_ACTIVE = sorted(s.value for s in ACTIVE_STATES)
MAX_ERROR_CHARS = 200


class JobNotFound(LookupError):
    pass


class JobLost(RuntimeError):
    """The job is no longer owned by this worker (requeued as stale, or finished by another)."""


def enqueue_job(session: Session, call_id: uuid.UUID, now: datetime | None = None) -> Job:
    """Queue (re)processing of a call; returns the already active job if there is one. Caller commits."""
    active = session.scalars(
        select(Job).where(Job.call_id == call_id, Job.state.in_(_ACTIVE)).order_by(Job.id.desc()).limit(1)
    ).first()
    if active is not None:
        return active
    now = now or utcnow()
    job = Job(call_id=call_id, state=JobState.QUEUED.value, attempts=0, next_attempt_at=now,
              created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job


def has_active_job(session: Session, call_id: uuid.UUID) -> bool:
    """Whether the call has a job queued or running (its rows are about to be rewritten)."""
    return bool(session.scalar(select(exists().where(Job.call_id == call_id, Job.state.in_(_ACTIVE)))))


def unrestricted_call() -> ColumnElement[bool]:
    """The job's call is not restricted: under GDPR art. 18 a restricted call may only be stored, so its
    queued or failed job waits (it is claimable again once the restriction is lifted)."""
    return ~exists().where(Call.id == Job.call_id, Call.restricted.is_(True))


def claim_next_job(session: Session, worker_id: str, now: datetime | None = None) -> Job | None:
    """Take the oldest claimable job for ``worker_id`` (state -> transcribing, attempts + 1), or None.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets concurrent claimers pass each other. SQLite: the transaction
    began with ``BEGIN IMMEDIATE`` (see ``db.py``), so claimers are serialised.
    """
    now = now or utcnow()
    job = session.scalars(
        select(Job)
        .where(Job.state.in_(_CLAIMABLE), Job.next_attempt_at <= now, unrestricted_call())
        .order_by(Job.next_attempt_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if job is None:
        return None
    job.state = JobState.TRANSCRIBING.value
    job.locked_by = worker_id
    job.heartbeat_at = now
    job.attempts += 1
    job.updated_at = now
    session.flush()
    return job


def _owned(session: Session, job_id: int, worker_id: str | None) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise JobNotFound(f"no job {job_id}")
    if worker_id is not None and job.locked_by != worker_id:
        raise JobLost(f"job {job_id} is not held by this worker")
    return job


def heartbeat(session: Session, job_id: int, worker_id: str, now: datetime | None = None) -> Job:
    """Prove the worker is alive (``requeue_stale_jobs`` looks at this). Raises ``JobLost``."""
    job = _owned(session, job_id, worker_id)
    job.heartbeat_at = job.updated_at = now or utcnow()
    return job


def mark_job(
    session: Session, job_id: int, state: JobState | str, *, worker_id: str | None = None,
    now: datetime | None = None,
) -> Job:
    """Move a running job to its next stage, or to ``done`` (which releases it). Raises ``JobLost``."""
    state = JobState(state)
    if state not in RUNNING_STATES and state is not JobState.DONE:
        raise ValueError("mark_job moves to a running stage or done; use fail_job for failures")
    job = _owned(session, job_id, worker_id)
    now = now or utcnow()
    job.state = state.value
    job.heartbeat_at = job.updated_at = now
    if state is JobState.DONE:
        job.locked_by = None
        job.finished_at = now
        job.last_error = None
    return job


def fail_job(
    session: Session, job_id: int, reason: str, *, max_attempts: int, worker_id: str | None = None,
    now: datetime | None = None, backoff_s: float = 30.0,
) -> Job:
    """Record a failed attempt: ``failed`` with exponential back-off, or ``dead`` once attempts are spent.

    ``reason`` must be PII-free (an exception type and stage, never a message that may quote content).
    """
    job = _owned(session, job_id, worker_id)
    now = now or utcnow()
    job.last_error = reason[:MAX_ERROR_CHARS]
    job.locked_by = None
    job.updated_at = now
    if job.attempts >= max_attempts:
        job.state = JobState.DEAD.value
        job.finished_at = now
    else:
        job.state = JobState.FAILED.value
        job.next_attempt_at = now + timedelta(seconds=backoff_s * 2 ** max(job.attempts - 1, 0))
    return job


def requeue_stale_jobs(
    session: Session, older_than: datetime, *, max_attempts: int | None = None, now: datetime | None = None,
) -> int:
    """Give running jobs whose heartbeat is older than ``older_than`` back to the queue (after a SIGKILL or a
    lost worker). With ``max_attempts``, a job that already used them all goes ``dead`` instead — a recording
    that kills the worker every time must not loop forever. Returns how many jobs were touched."""
    now = now or utcnow()
    stale = session.scalars(
        select(Job)
        .where(Job.state.in_(_RUNNING), (Job.heartbeat_at < older_than) | Job.heartbeat_at.is_(None))
        .with_for_update(skip_locked=True)
    ).all()
    for job in stale:
        job.locked_by = None
        job.updated_at = now
        job.last_error = "worker lost (stale heartbeat)"
        if max_attempts is not None and job.attempts >= max_attempts:
            job.state = JobState.DEAD.value
            job.finished_at = now
        else:
            job.state = JobState.QUEUED.value
            job.next_attempt_at = now
    return len(stale)


@dataclass(frozen=True)
class QueueStatus:
    """Work waiting for a worker: how many jobs are due, and how long the longest-waiting one has waited."""

    depth: int
    oldest_wait_s: float


def queue_status(session: Session, now: datetime | None = None) -> QueueStatus:
    """Jobs a worker could claim now (queued, or failed with the retry time reached; restricted calls' jobs
    wait on purpose and are left out) and the wait of the oldest, since it became due.

    One aggregate over ``ix_jobs_state_next_attempt_at``: cheap enough for the webhook's back-pressure check.
    """
    now = now or utcnow()
    depth, first_due = session.execute(
        select(func.count(), func.min(Job.next_attempt_at))
        .where(Job.state.in_(_CLAIMABLE), Job.next_attempt_at <= now, unrestricted_call())
    ).one()
    oldest: datetime | None = first_due  # NULL when nothing is due, whatever the column's type says
    if oldest is None:
        return QueueStatus(depth=int(depth), oldest_wait_s=0.0)
    return QueueStatus(depth=int(depth), oldest_wait_s=max((now - oldest).total_seconds(), 0.0))


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def job_counts(session: Session) -> dict[str, int]:
    """Jobs per state (for metrics and the health page); every state is present."""
    counts = {s.value: 0 for s in JobState}
    for state, n in session.execute(select(Job.state, func.count()).group_by(Job.state)):
        counts[state] = int(n)
    return counts
