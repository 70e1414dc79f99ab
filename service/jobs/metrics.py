"""Prometheus metrics of the service: counts and durations only.

Labels come from small fixed vocabularies (stage names, entity types, job outcomes, HTTP statuses); never a
call id, a job id, a client's number or any detected value, so a metrics backend never holds personal data.

Everything lives in this module's own ``REGISTRY`` (not the library's global one) so that tests and
embedding applications see exactly our series. Job counts by state are read from the database at scrape
time (``JobStateCollector``): the database is the queue, so that number is right across every worker.

Celery's prefork workers record in child processes; ``puheturva worker --metrics-port`` turns on the
library's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set before this module is imported) and serves
the children's aggregate from the worker's main process.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.store.repo_jobs import job_counts, queue_status

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROC_ENV) and values.ValueClass is values.MutexValue:
    # prometheus_client chooses its value class when first imported; follow a later-set environment.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]

CONTENT_TYPE = CONTENT_TYPE_LATEST
REGISTRY = CollectorRegistry(auto_describe=True)
_STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640, 1280)
_RTF_BUCKETS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

STAGE_SECONDS = Histogram("puheturva_stage_duration_seconds", "Wall time of one pipeline stage of one job",
                          ["stage"], buckets=_STAGE_BUCKETS, registry=REGISTRY)
JOB_SECONDS = Histogram("puheturva_job_duration_seconds", "Wall time of one job, claim to stored results",
                        buckets=_STAGE_BUCKETS, registry=REGISTRY)
AUDIO_SECONDS = Counter("puheturva_audio_processed_seconds", "Seconds of call audio processed (call length)",
                        registry=REGISTRY)
REAL_TIME_FACTOR = Histogram("puheturva_real_time_factor",
                             "Job wall time divided by call length (below 1: faster than real time)",
                             buckets=_RTF_BUCKETS, registry=REGISTRY)
ENTITIES = Counter("puheturva_entities_redacted", "Identifiers redacted, by entity type (counts only)",
                   ["type"], registry=REGISTRY)
JOBS_FINISHED = Counter("puheturva_jobs_finished", "Job attempts that ended, by outcome (done, failed, dead)",
                        ["outcome"], registry=REGISTRY)
WEBHOOKS = Counter("puheturva_webhook_requests", "Webhook deliveries (POST /v1/calls) by HTTP status",
                   ["status"], registry=REGISTRY)

REVIEW_REPORTS = Counter("puheturva_review_reports", "Reviewers' reports on redactions by kind (missed, "
                         "over_redaction) and entity type (counts only)", ["kind", "type"], registry=REGISTRY)


def review_reported(kind: str, entity_type: str) -> None:
    """Count one reviewer's report: ``missed`` (an identifier left in) or ``over_redaction`` (not one)."""
    REVIEW_REPORTS.labels(kind, entity_type).inc()


def stage_label(stage: str) -> str:
    """``transcribe:channel1`` → ``transcribe``: one series per stage, not per channel."""
    return stage.split(":", 1)[0]


def job_done(result: Any, wall_s: float) -> None:
    """Record a stored job: stage durations (from its provenance), audio length, speed, entity types."""
    for act in result.provenance:
        STAGE_SECONDS.labels(stage_label(act.stage)).observe(
            max((act.ended_at - act.started_at).total_seconds(), 0.0))
    JOB_SECONDS.observe(wall_s)
    AUDIO_SECONDS.inc(max(result.duration, 0.0))
    if result.duration > 0:
        REAL_TIME_FACTOR.observe(wall_s / result.duration)
    for entity in result.entities:
        ENTITIES.labels(entity.type).inc()
    JOBS_FINISHED.labels("done").inc()


def job_failed(state: str) -> None:
    """Record a failed attempt: ``failed`` (will retry) or ``dead`` (attempts spent)."""
    JOBS_FINISHED.labels(state).inc()


def webhook_answered(status: int) -> None:
    WEBHOOKS.labels(str(status)).inc()


class JobStateCollector(Collector):
    """``puheturva_jobs{state=...}`` read from the job table at scrape time, plus whether that worked."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("puheturva_database_up", "1 if the job table could be read at this scrape")
        try:
            with self.db.session() as s:
                counts = job_counts(s)
                queue = queue_status(s)
        except Exception:  # a scrape must answer even while the database is down
            up.add_metric([], 0)
            yield up
            return
        jobs = GaugeMetricFamily("puheturva_jobs", "Jobs by state, read from the database", labels=["state"])
        for state, n in sorted(counts.items()):
            jobs.add_metric([state], n)
        up.add_metric([], 1)
        yield jobs
        yield GaugeMetricFamily("puheturva_queue_depth", "Jobs a worker could claim now (back-pressure input)",
                                value=queue.depth)
        yield GaugeMetricFamily("puheturva_queue_oldest_age_seconds",
                                "How long the longest-waiting claimable job has waited (back-pressure input)",
                                value=queue.oldest_wait_s)
        yield up


def process_registry() -> CollectorRegistry:
    """This process's series, or (multiprocess mode) the aggregate of every process writing the same dir."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return registry


class _Summed(Collector):
    """Several registries as one: samples with the same name and labels are added up (counters and histogram
    buckets of the API process and of its worker processes), ``_created`` keeps the earliest."""

    def __init__(self, *registries: CollectorRegistry) -> None:
        self.registries = registries

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        totals: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
        for registry in self.registries:
            for family in registry.collect():
                families.setdefault(family.name, family)
                acc = totals.setdefault(family.name, {})
                for sample in family.samples:
                    key = (sample.name, tuple(sorted(sample.labels.items())))
                    if key not in acc:
                        acc[key] = sample.value
                    elif sample.name.endswith("_created"):
                        acc[key] = min(acc[key], sample.value)
                    else:
                        acc[key] += sample.value
        for name, first in families.items():
            merged = Metric(first.name, first.documentation, first.type, first.unit)
            for (sample_name, labels), value in totals[name].items():
                merged.add_sample(sample_name, dict(labels), value)
            yield merged


def worker_registry(path: str) -> CollectorRegistry:
    """The series the embedded worker processes wrote under ``path`` (multiprocess files), aggregated."""
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return registry


def render(db: Any | None = None, worker_dir: str | None = None) -> bytes:
    """The text exposition: process series (plus, given ``worker_dir``, the embedded worker processes' series
    added in), then (given a database) the job-state and queue gauges."""
    own = process_registry()
    if worker_dir is not None:
        own = CollectorRegistry(auto_describe=False)
        own.register(_Summed(process_registry(), worker_registry(worker_dir)))
    parts: Iterable[CollectorRegistry] = [own]
    if db is not None:
        jobs = CollectorRegistry(auto_describe=False)
        jobs.register(JobStateCollector(db))
        parts = [*parts, jobs]
    return b"".join(generate_latest(r) for r in parts)


def serve(port: int, addr: str = "127.0.0.1") -> None:
    """Expose ``render()`` on ``http://addr:port/metrics`` from a background thread (Celery workers).

    Loopback by default: this listener has no authentication (review #19); a scraper on another host needs
    ``puheturva worker --metrics-host`` set to an interface that only it can reach.
    """
    from prometheus_client import start_http_server

    start_http_server(port, addr=addr, registry=process_registry())
