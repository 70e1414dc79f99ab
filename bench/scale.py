"""End-to-end throughput: the embedded runner vs Celery workers, and 1 vs 2 Celery workers, on the same calls.

Every mode is a real deployment on loopback: ``puheturva serve`` (uvicorn) takes signed webhooks, jobs go
to PostgreSQL (a fresh schema per mode), and either the API's own worker thread or ``puheturva worker``
processes (Celery over Redis by default, or RabbitMQ) do the work. Each mode first processes one warm-up
call per worker (model loading is a one-off per process, not throughput), then the timed batch: from the
first POST to the last job ``done``.

    PUHETURVA_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
    PUHETURVA_TEST_REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/scale.py [--calls 6]

How to read it for N GPU workers: ASR dominates a job (the "ASR share" line), and workers share nothing
but PostgreSQL and the broker, so throughput ≈ N × one worker's audio-seconds/second until one of those
saturates. A job costs about ten short PostgreSQL transactions and one or two broker messages, so (an
estimate, not measured here) a single PostgreSQL and Redis carry hundreds of jobs per second — far beyond
what tens of GPU workers produce. Measure one GPU worker's audio-seconds/second with this script and
multiply. On a CPU box the cores are the limit instead: two workers on two cores cannot beat one worker
that uses both cores by much (``--asr-threads`` sets the threads per ASR model for a fair comparison).

On a GPU: ``--device cuda [--model DIR] [--batch-size N]`` runs the workers' ASR there (float16, batched by
default) and prints the peak GPU memory in use (``nvidia-smi``) beside the audio-seconds per second.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CLIPS = ("phone.wav", "hetu.wav", "name.wav")
TIMEOUT_S = 600


@dataclass(frozen=True)
class Mode:
    name: str
    queue: str  # embedded | celery
    workers: int  # embedded: worker threads; celery: worker processes


@dataclass(frozen=True)
class Result:
    mode: Mode
    calls: int
    audio_s: float
    wall_s: float
    mean_latency_s: float
    asr_share: float

    @property
    def calls_per_hour(self) -> float:
        return self.calls / self.wall_s * 3600

    @property
    def audio_per_s(self) -> float:
        return self.audio_s / self.wall_s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A URL of an empty schema (``search_path``), dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class Deployment:
    """API + workers of one mode, as subprocesses in their own process groups."""

    def __init__(self, mode: Mode, db_url: str, broker_url: str, asr_threads: int, tmp: Path,
                 asr_env: dict[str, str] | None = None) -> None:
        self.mode, self.db_url, self.tmp = mode, db_url, tmp
        self.port = free_port()
        self.env = {**os.environ, "PUHETURVA_DATA_DIR": str(tmp / "var"), "PUHETURVA_DATABASE_URL": db_url,
                    "PUHETURVA_QUEUE": mode.queue, "PUHETURVA_ASR_THREADS": str(asr_threads),
                    "PUHETURVA_WORKER_THREADS": str(mode.workers if mode.queue == "embedded" else 0),
                    **(asr_env or {})}
        if mode.queue == "celery":
            self.env |= {"PUHETURVA_BROKER_URL": broker_url,
                         "PUHETURVA_CELERY_QUEUE": f"puheturva.bench.{uuid.uuid4().hex[:8]}"}
        self.procs: list[subprocess.Popen] = []
        self.engine = sa.create_engine(db_url)

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=self.env,
                                stdout=(self.tmp / log).open("ab"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        self._spawn(["serve", "--port", str(self.port)], "api.log")
        wait(lambda: _ok(f"http://127.0.0.1:{self.port}/healthz"), 120, "the API")
        if self.mode.queue == "celery":
            for i in range(self.mode.workers):
                log = self.tmp / f"worker{i}.log"
                self._spawn(["worker", "--concurrency", "1"] + (["--beat"] if i == 0 else []), log.name)
                wait(lambda log=log: " ready." in log.read_text(errors="replace"), 120, f"worker {i}")

    def post(self, clips: list[str], prefix: str) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60) as client:
            for i, clip in enumerate(clips):
                meta = {"call_id": f"{prefix}-{i}", "direction": "inbound", "queue": "bench"}
                req = signed_call(DEV_WEBHOOK_SECRET, meta, (DATA / clip).read_bytes())
                res = client.post("/v1/calls", content=req.body, headers=req.headers)
                res.raise_for_status()

    def done_count(self) -> int:
        with self.engine.connect() as conn:
            bad = conn.execute(sa.text("SELECT count(*) FROM jobs WHERE state = 'dead'")).scalar_one()
            if bad:
                raise RuntimeError(f"{bad} job(s) died; see logs in {self.tmp}")
            return conn.execute(sa.text("SELECT count(*) FROM jobs WHERE state = 'done'")).scalar_one()

    def batch_stats(self, prefix: str) -> tuple[float, float]:
        """Mean latency (webhook to done) and the ASR share of stage time, over the timed batch's calls."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT j.finished_at - j.created_at FROM jobs j JOIN calls c ON c.id = j.call_id "
                "WHERE c.external_id LIKE :p"), {"p": f"{prefix}-%"}).scalars().all()
            stages = conn.execute(sa.text(
                "SELECT p.stage LIKE 'transcribe%' AS asr, sum(extract(epoch FROM p.ended_at - p.started_at)) "
                "FROM provenance p JOIN calls c ON c.id = p.call_id WHERE c.external_id LIKE :p GROUP BY 1"),
                {"p": f"{prefix}-%"}).all()
        by = {bool(asr): float(total) for asr, total in stages}
        share = by.get(True, 0.0) / max(sum(by.values()), 1e-9)
        return statistics.fmean(r.total_seconds() for r in rows), share

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.engine.dispose()


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait(predicate, timeout: float, what: str, every: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(every)


def audio_seconds(clips: list[str]) -> float:
    import wave

    total = 0.0
    for clip in clips:
        with wave.open(str(DATA / clip)) as w:
            total += w.getnframes() / w.getframerate()
    return total


class GpuMemory:
    """Peak GPU memory in use (MiB, all GPUs) sampled from ``nvidia-smi`` while a mode runs; None without one."""

    def __init__(self) -> None:
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def used_mib() -> int | None:
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                                 capture_output=True, text=True, timeout=10, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        return sum(int(x) for x in out.split() if x.strip().isdigit())

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            used = self.used_mib()
            if used is not None:
                self.peak = max(self.peak or 0, used)

    def __enter__(self) -> GpuMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_mode(mode: Mode, base_db: str, broker: str, calls: int, asr_threads: int,
             asr_env: dict[str, str] | None = None) -> Result:
    clips = [CLIPS[i % len(CLIPS)] for i in range(calls)]
    with fresh_schema(base_db) as db_url, tempfile.TemporaryDirectory(prefix="puheturva-bench-") as tmp:
        dep = Deployment(mode, db_url, broker, asr_threads, Path(tmp), asr_env)
        try:
            dep.start()
            dep.post([CLIPS[i % len(CLIPS)] for i in range(mode.workers)], "warm")
            wait(lambda: dep.done_count() >= mode.workers, TIMEOUT_S, "the warm-up calls", every=0.5)
            started = time.monotonic()
            dep.post(clips, "batch")
            wait(lambda: dep.done_count() >= mode.workers + calls, TIMEOUT_S, "the batch", every=0.2)
            wall = time.monotonic() - started
            latency, asr_share = dep.batch_stats("batch")
        finally:
            dep.stop()
    return Result(mode, calls, audio_seconds(clips), wall, latency, asr_share)


def report(results: list[Result], cores: int, asr_threads: int) -> None:
    print(f"\n{'mode':<12} {'calls':>5} {'wall s':>7} {'calls/h':>8} {'audio s/s':>9} {'latency s':>9} "
          f"{'ASR share':>9}")
    for r in results:
        print(f"{r.mode.name:<12} {r.calls:>5} {r.wall_s:>7.1f} {r.calls_per_hour:>8.0f} {r.audio_per_s:>9.2f} "
              f"{r.mean_latency_s:>9.1f} {r.asr_share:>9.0%}")
    by = {r.mode.name: r for r in results}
    print("\nratios (throughput):")
    if "embedded-1" in by and "celery-1" in by:
        print(f"  celery-1 / embedded-1 = {by['celery-1'].audio_per_s / by['embedded-1'].audio_per_s:.2f}"
              "  (same work, broker hop + separate process)")
    if "celery-1" in by and "celery-2" in by:
        ratio = by["celery-2"].audio_per_s / by["celery-1"].audio_per_s
        print(f"  celery-2 / celery-1   = {ratio:.2f}  (ideal 2.00 with a core per worker; "
              f"{cores} CPU core(s) here, {asr_threads or 'auto'} ASR thread(s) per worker)")
    one = by.get("celery-1")
    if one:
        print(f"\nextrapolation: ASR is {one.asr_share:.0%} of stage time, so throughput ≈ N × per-worker rate "
              f"until PostgreSQL/broker saturate; here one worker does {one.audio_per_s:.2f} audio s/s "
              f"({one.calls_per_hour:.0f} calls/h of ~{one.audio_s / one.calls:.0f} s). "
              "Measure one GPU worker's rate and multiply by N.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=6, help="timed calls per mode (short clips, ~5 s each)")
    ap.add_argument("--database-url", default=os.environ.get("PUHETURVA_TEST_DATABASE_URL"))
    ap.add_argument("--broker-url", default=os.environ.get("PUHETURVA_TEST_REDIS_URL"),
                    help="redis://... or amqp://...")
    ap.add_argument("--asr-threads", type=int, default=1, help="CPU threads per ASR model (0: auto)")
    ap.add_argument("--modes", default="embedded-1,celery-1,celery-2")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the workers run ASR")
    ap.add_argument("--model", default=None, help="CTranslate2 model directory (default: embedded base)")
    ap.add_argument("--batch-size", type=int, default=None, help="batched ASR (unset: 16 on CUDA, 0 on CPU)")
    args = ap.parse_args()
    asr_env = {"PUHETURVA_ASR_DEVICE": args.device}
    if args.model:
        asr_env["PUHETURVA_ASR_MODEL"] = args.model
    if args.batch_size is not None:
        asr_env["PUHETURVA_ASR_BATCH_SIZE"] = str(args.batch_size)
    if not args.database_url or not args.broker_url:
        sys.exit("needs PostgreSQL and a broker: set PUHETURVA_TEST_DATABASE_URL and PUHETURVA_TEST_REDIS_URL")
    modes = [Mode(name, name.split("-")[0], int(name.split("-")[1])) for name in args.modes.split(",")]
    cores = os.cpu_count() or 1
    print(f"{cores} CPU core(s), load average {os.getloadavg()[0]:.2f}; {args.calls} calls per mode; "
          f"broker {urlsplit(args.broker_url).scheme}; {args.asr_threads or 'auto'} ASR thread(s) per model")
    results = []
    for mode in modes:
        t0 = time.monotonic()
        with GpuMemory() if args.device == "cuda" else contextlib.nullcontext() as gpu:
            results.append(run_mode(mode, args.database_url, args.broker_url, args.calls, args.asr_threads,
                                    asr_env))
        gpu_note = f", peak GPU memory {gpu.peak} MiB" if gpu is not None and gpu.peak is not None else ""
        print(f"  {mode.name}: done in {time.monotonic() - t0:.0f} s (with start-up and warm-up){gpu_note}",
              flush=True)
    report(results, cores, args.asr_threads)


if __name__ == "__main__":
    main()
