"""Running one claimed job: the code both the embedded runner and Celery workers execute.

Load the job's input, decode the original in the sandbox, run the pipeline with a heartbeat, then hand the
result to ``service.jobs.persist``; on any error record a PII-free reason (the ``Stage`` it failed in and the
exception type) and let the job be retried. The job row keeps a coarse state: ``JOB_STATE`` is the one place
that maps the pipeline's ``Stage`` onto the stored ``JobState`` vocabulary the API and UI show.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from models.audio_sandbox import decode_isolated
from service.calls.callbacks import notify_completion
from service.jobs import metrics
from service.jobs.context import WorkerContext
from service.jobs.persist import WORKER_ACTOR, RunningJob, store_results
from service.pipeline.result import Stage
from service.privacy import audit
from service.store.kinds import ArtefactKind, CallStatus, JobState
from service.store.repo_artefacts import live_artefact
from service.store.repo_calls import require_call, set_call_status
from service.store.repo_jobs import JobLost, fail_job, get_job, heartbeat, mark_job

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = 5.0
RAW_CONTENT_TYPES = {"mulaw": "audio/basic", "alaw": "audio/x-alaw-basic"}
RAW_FORMAT_OF = {v: k for k, v in RAW_CONTENT_TYPES.items()}
# What the job row shows for each stage. Claiming already sets ``transcribing``; the stored values predate
# ``Stage`` and stay as they were (self-verification shows as redacting, storing as classifying).
JOB_STATE: Mapping[Stage, JobState] = {
    Stage.TRANSCRIBING: JobState.TRANSCRIBING,
    Stage.REDACTING: JobState.REDACTING,
    Stage.VERIFYING: JobState.REDACTING,
    Stage.CLASSIFYING: JobState.CLASSIFYING,
    Stage.DETECTING_RIGHTS: JobState.CLASSIFYING,
    Stage.STORING: JobState.CLASSIFYING,
}


@dataclass(frozen=True)
class JobInput:
    call_id: uuid.UUID
    channels: dict[int, str] | None
    audio_key: str
    raw_format: str | None


def run_claimed_job(ctx: WorkerContext, job_id: int, worker_id: str) -> None:
    """Process a job this worker has claimed; on error record a PII-free reason and schedule a retry."""
    progress = _StageMarker(ctx, job_id, worker_id)
    started = time.monotonic()
    try:
        job_input = _load_input(ctx, job_id)
        # the stored original is still outside bytes: a decoder crash must cost this job, not the worker
        audio = decode_isolated(ctx.blobs.get(job_input.audio_key), raw_format=job_input.raw_format,
                                max_channels=ctx.settings.max_audio_channels)
        beat = _Heartbeat(ctx, job_id, worker_id)
        result = ctx.pipeline.process(audio, job_input.channels, progress=beat, on_stage=progress)
        progress.stage = Stage.STORING
        store_results(ctx, RunningJob(job_id, worker_id, job_input.call_id, JOB_STATE[Stage.STORING]), result)
    except Exception as exc:
        reason = f"{progress.stage}: {type(exc).__name__}"
        log.warning("job %s failed at %s (%s)", job_id, progress.stage, type(exc).__name__)
        with ctx.db.session() as s:
            job = fail_job(s, job_id, reason, max_attempts=ctx.settings.job_max_attempts, worker_id=worker_id)
            if job.state == JobState.DEAD:
                set_call_status(s, job.call_id, CallStatus.FAILED)
                audit.record(s, WORKER_ACTOR, "system", "job.dead", "call", str(job.call_id), {"reason": reason})
            metrics.job_failed(job.state)
        return
    metrics.job_done(result, time.monotonic() - started)
    notify_completion(ctx, job_input.call_id)


def _load_input(ctx: WorkerContext, job_id: int) -> JobInput:
    with ctx.db.session() as s:
        job = get_job(s, job_id)
        if job is None:
            raise JobLost(f"job {job_id} no longer exists")
        call = require_call(s, job.call_id)
        call.status = CallStatus.PROCESSING.value
        original = live_artefact(s, call.id, ArtefactKind.ORIGINAL_AUDIO)
        if original is None or not original.blob_key:
            raise MissingOriginal("original audio is gone")
        channels = {int(k): v for k, v in call.channels.items()} if call.channels else None
        return JobInput(call_id=call.id, channels=channels, audio_key=original.blob_key,
                        raw_format=RAW_FORMAT_OF.get(original.content_type or ""))


class MissingOriginal(RuntimeError):
    pass


class _Heartbeat:
    """Progress callback that proves liveness to the stale-job reaper, at most every few seconds."""

    def __init__(self, ctx: WorkerContext, job_id: int, worker_id: str) -> None:
        self.ctx, self.job_id, self.worker_id, self.last = ctx, job_id, worker_id, time.monotonic()

    def __call__(self, _done: float, _total: float) -> None:
        if time.monotonic() - self.last < HEARTBEAT_EVERY_S:
            return
        self.last = time.monotonic()
        with self.ctx.db.session() as s:
            heartbeat(s, self.job_id, self.worker_id)


class _StageMarker:
    """The pipeline's ``on_stage``: remembers the stage (a failure's reason) and moves the job row's state
    when the stage's ``JOB_STATE`` differs from what the row shows. Raises ``JobLost`` if the job was taken."""

    def __init__(self, ctx: WorkerContext, job_id: int, worker_id: str) -> None:
        self.ctx, self.job_id, self.worker_id = ctx, job_id, worker_id
        self.stage = Stage.TRANSCRIBING
        self.shown = JOB_STATE[Stage.TRANSCRIBING]  # what claiming set

    def __call__(self, stage: Stage | str) -> None:
        self.stage = Stage(stage)
        state = JOB_STATE[self.stage]
        if state is self.shown:
            return
        with self.ctx.db.session() as s:
            mark_job(s, self.job_id, state, worker_id=self.worker_id)
        self.shown = state
