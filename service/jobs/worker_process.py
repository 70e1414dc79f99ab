"""Embedded worker processes: the job loop beside the API, in processes of their own, supervised.

Why processes and not threads: transcription keeps both cores and the interpreter busy for seconds at a
time, and a webhook handled in the same process waited behind it (issue 15: p99 5.3 s at 20 clients). A
child process at a higher niceness leaves the CPU to the API whenever the API wants it, and the API process
never loads the models.

- Started with ``spawn`` (a fresh interpreter: the API process has threads and an event loop that must not
  be forked) and handed the API's ``Settings``; each loads the pipeline once, before its first claim.
- Fed from the same durable job rows as always; ``wake()`` after an ingest cuts the poll wait.
- A child that dies (SIGKILL, out of memory, a crash in native code) is restarted by the supervisor thread,
  with a growing delay while it keeps dying young; its job's heartbeat goes stale and any worker requeues it.
- A child exits as soon as the API process is gone, even mid-job (SIGKILL of the API leaves no orphan that
  would go on working unsupervised): it holds the read end of a pipe whose other end only the parent has.
- Job metrics are written by the children in prometheus_client's multiprocess files under ``metrics_dir``;
  ``service.jobs.metrics.render`` adds them to the API's own series.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

log = logging.getLogger(__name__)
SUPERVISE_EVERY_S = 1.0
STOP_GRACE_S = 5.0
RESTART_DELAY_S = (1.0, 60.0)  # first delay after a young death, the most it doubles to
YOUNG_S = 30.0  # a child that dies younger than this is restarted after a growing delay
EXIT_MODEL = 3  # the child could not load the models: the same code as the CLI's


@dataclass
class _Slot:
    """One worker process and what the supervisor knows about it."""

    n: int
    wake: ProcessEvent
    proc: SpawnProcess | None = None
    lifeline: Connection | None = None
    started_at: float = 0.0
    delay_s: float = 0.0
    restart_at: float = 0.0
    restarts: int = field(default=0)


class WorkerPool:
    """``processes`` worker processes of the embedded job loop, started, watched and restarted from a thread."""

    def __init__(self, settings: Any, processes: int, *, nice: int = 10) -> None:
        self.settings, self.nice = settings, nice
        self._mp = multiprocessing.get_context("spawn")
        self._stop = self._mp.Event()
        self._slots = [_Slot(n, self._mp.Event()) for n in range(processes)]
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        self.metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
            prefix="puheturva-worker-metrics-")

    @property
    def pids(self) -> list[int]:
        """The live worker processes (for the health page and tests)."""
        with self._lock:
            return [s.proc.pid for s in self._slots if s.proc is not None and s.proc.pid and s.proc.is_alive()]

    @property
    def extra_metrics_dir(self) -> str | None:
        """The children's metrics files when the API process keeps its own series in memory."""
        return self.metrics_dir if self._own_metrics_dir else None

    def start(self) -> WorkerPool:
        with self._lock:
            for slot in self._slots:
                self._spawn(slot)
        self._supervisor = threading.Thread(target=self._supervise, name="puheturva-worker-supervisor",
                                            daemon=True)
        self._supervisor.start()
        return self

    def wake(self) -> None:
        """A job was committed: end the children's poll wait (an Event's set never blocks the caller)."""
        for slot in self._slots:
            slot.wake.set()

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Ask the children to stop after their current step; kill those still busy after ``grace_s``.

        A job cut short this way goes back to the queue when its heartbeat is stale, like after a crash.
        """
        self._done.set()
        self._stop.set()
        self.wake()
        if self._supervisor is not None:
            self._supervisor.join(SUPERVISE_EVERY_S * 3)
        deadline = time.monotonic() + grace_s
        with self._lock:
            for slot in self._slots:
                if slot.proc is not None:
                    slot.proc.join(max(deadline - time.monotonic(), 0.0))
                    if slot.proc.is_alive():
                        slot.proc.kill()
                        slot.proc.join(5)
                if slot.lifeline is not None:
                    slot.lifeline.close()
        if self._own_metrics_dir:
            shutil.rmtree(self.metrics_dir, ignore_errors=True)

    def _spawn(self, slot: _Slot) -> None:
        reader, writer = self._mp.Pipe(duplex=False)  # the child reads; EOF there = this process is gone
        proc = self._mp.Process(target=worker_main, name=f"puheturva-worker-{slot.n}", daemon=True,
                                args=(self.settings, slot.n, reader, self._stop, slot.wake, self.metrics_dir,
                                      self.nice))
        proc.start()
        reader.close()  # only the child keeps the read end open
        if slot.lifeline is not None:
            slot.lifeline.close()
        slot.proc, slot.lifeline, slot.started_at = proc, writer, time.monotonic()
        log.info("worker process %d started (pid %s)", slot.n, proc.pid)

    def _supervise(self) -> None:
        while not self._done.wait(SUPERVISE_EVERY_S):
            with self._lock:
                if self._done.is_set():
                    return
                for slot in self._slots:
                    self._check(slot)

    def _check(self, slot: _Slot) -> None:
        """Restart a dead child; one that keeps dying young waits longer each time (a bad model, no memory)."""
        now = time.monotonic()
        if slot.proc is None or slot.proc.is_alive():
            return
        if slot.restart_at == 0.0:
            young = now - slot.started_at < YOUNG_S
            slot.delay_s = min(max(slot.delay_s * 2, RESTART_DELAY_S[0]), RESTART_DELAY_S[1]) if young else 0.0
            slot.restart_at = now + slot.delay_s
            how = "could not load the models" if slot.proc.exitcode == EXIT_MODEL else f"exit {slot.proc.exitcode}"
            log.error("worker process %d died (%s); restarting in %.0f s", slot.n, how, slot.delay_s)
        if now >= slot.restart_at:
            slot.restart_at = 0.0
            slot.restarts += 1
            self._spawn(slot)


def worker_main(settings: Any, n: int, lifeline: Connection, stop: ProcessEvent, wake: ProcessEvent,
                metrics_dir: str, nice: int) -> None:
    """The child: lower priority, load the pipeline, then run the job loop until ``stop`` or the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent stops us
    if nice:
        os.nice(nice)
    # Before service.jobs.metrics is imported: this process's counters go to files the API process reads.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True, name="lifeline").start()
    from service.platform.logging_setup import configure

    configure(logging.INFO)
    from service.jobs.context import context_from_settings
    from service.jobs.embedded import run_loop, worker_id

    ctx = context_from_settings(settings)
    try:
        ctx.pipeline  # noqa: B018 - load the models now: a broken model fails here, once, not every job
    except Exception as exc:
        log.error("worker process %d cannot load the models (%s)", n, type(exc).__name__)
        os._exit(EXIT_MODEL)
    try:
        run_loop(ctx, worker_id(n), stop, wake)
    finally:
        ctx.db.dispose()


def check_asr_model(settings: Any) -> None:
    """``service.pipeline.build.check_asr_model``, imported only where it runs (a child process)."""
    from service.pipeline.build import check_asr_model as check

    check(settings)


def _exit_with_parent(lifeline: Connection) -> None:
    """Block on the pipe from the parent; EOF means the API process is gone: leave at once, mid-job or not."""
    try:
        while True:
            lifeline.recv_bytes()
    except (EOFError, OSError):
        os._exit(0)
