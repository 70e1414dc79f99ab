"""Shared by ``bench/ingest.py`` and ``bench/load.py``: the servers they compare and the clients that load them.

Both benchmarks put the product's webhook beside a *bare* FastAPI endpoint that only stores the upload (the
issue's "store-only endpoint": it parses the multipart body, writes the audio part to a file and answers 202;
no signature, validation, encryption, fsync or database), served the same way (its own uvicorn process on
loopback, access log on), so the printed ratio says what the product's ingest costs on this machine at this
moment, whatever else runs on it.
"busy" means the product's embedded worker process transcribes throughout the measurement: a backlog of
long calls is queued first, and a sampler reads the job table to report the share of the time it was busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store.db import open_database
from service.store.kinds import RUNNING_STATES
from service.store.models import Call, Job

ROOT = Path(__file__).resolve().parents[1]
AUDIO = (ROOT / "tests/data/phone.wav").read_bytes()
LONG_CALL = (ROOT / "tests/data/call_stereo.wav").read_bytes()

BARE_APP = '''
import os
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
DIR = os.environ["BARE_DIR"]


@app.post("/v1/calls")
async def accept(request: Request):
    async with request.form() as form:
        audio = form.get("audio")
        data = await audio.read() if audio is not None and hasattr(audio, "read") else b""
    with open(os.path.join(DIR, uuid.uuid4().hex), "wb") as f:
        f.write(data)
    return JSONResponse({"status": "queued", "bytes": len(data)}, status_code=202)
'''


@dataclass
class Tally:
    """What the clients saw: per-request latency and answer, and the call ids the service accepted."""

    latencies: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    accepted: set[str] = field(default_factory=set)
    wall: float = 0.0

    def merge(self, other: Tally) -> Tally:
        return Tally(self.latencies + other.latencies, self.finished_at + other.finished_at,
                     self.statuses + other.statuses, self.accepted | other.accepted, self.wall + other.wall)

    @property
    def errors(self) -> int:
        return len(self.latencies) - self.statuses["202"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


@contextlib.contextmanager
def running(cmd: list[str], env: dict[str, str], port: int, log: Path, ready_path: str) -> Iterator[str]:
    """Start ``cmd`` (its own process group), wait until ``ready_path`` answers, yield the base URL, stop it."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # the product checks the model in a child before the port opens
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}; see {log}")
            try:
                if httpx.request("GET" if ready_path else "POST", base + (ready_path or "/v1/calls"),
                                 timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {log}")
            time.sleep(0.3)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextlib.contextmanager
def bare_server(tmp: Path) -> Iterator[str]:
    """The bare endpoint in its own uvicorn process."""
    (tmp / "bare_app.py").write_text(BARE_APP)
    (tmp / "bare_store").mkdir(exist_ok=True)
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp), "bare_app:app", "--port", str(port),
           "--log-level", "info"]
    with running(cmd, {**os.environ, "BARE_DIR": str(tmp / "bare_store")}, port, tmp / "bare.log", "") as base:
        yield base


def product_env(tmp: Path, name: str, workers: int, database_url: str | None = None) -> dict[str, str]:
    """``puheturva serve`` on a fresh data directory; the queue limits off, so every delivery is measured."""
    data = tmp / name
    env = {**os.environ, "PUHETURVA_DATA_DIR": str(data), "PUHETURVA_WORKER_PROCESSES": str(workers),
           "PUHETURVA_MAX_QUEUE_DEPTH": "0", "PUHETURVA_MAX_QUEUE_AGE_S": "0",
           "PUHETURVA_DATABASE_URL": database_url or f"sqlite:///{data / 'puheturva.db'}"}
    env.pop("PUHETURVA_WORKER_THREADS", None)
    return env


@contextlib.contextmanager
def product_server(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    with running(cmd, env, port, log, "/healthz") as base:
        yield base


def signed(call_id: str, audio: bytes = AUDIO, channels: dict[str, str] | None = None) -> tuple[bytes, dict]:
    req = signed_call(DEV_WEBHOOK_SECRET, {"call_id": call_id, "channels": channels or {"0": "customer"}}, audio)
    return req.body, dict(req.headers)


async def _load(base: str, clients: int, *, seconds: float | None = None, requests: int | None = None,
                tag: str = "load") -> Tally:
    """``clients`` concurrent senders, back to back, for ``seconds`` or until ``requests`` were sent."""
    tally = Tally()
    stop_at = time.monotonic() + seconds if seconds is not None else float("inf")
    left = [requests if requests is not None else -1]

    def more() -> bool:
        if time.monotonic() >= stop_at or left[0] == 0:
            return False
        left[0] -= 1
        return True

    async def client(http: httpx.AsyncClient, n: int) -> None:
        while more():
            call_id = f"{tag}-{n}-{uuid.uuid4().hex[:12]}"
            body, headers = signed(call_id)
            t = time.perf_counter()
            try:
                resp = await http.post(f"{base}/v1/calls", content=body, headers=headers)
                status = str(resp.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            tally.latencies.append(time.perf_counter() - t)
            tally.finished_at.append(time.monotonic())
            tally.statuses[status] += 1
            if status == "202":
                tally.accepted.add(call_id)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http, n) for n in range(clients)))
        tally.wall = time.perf_counter() - t0
    return tally


def load(base: str, clients: int, *, seconds: float | None = None, requests: int | None = None,
         tag: str = "load") -> Tally:
    return asyncio.run(_load(base, clients, seconds=seconds, requests=requests, tag=tag))


def job_states(url: str) -> dict[str, int]:
    db = open_database(url, run_migrations=False)
    try:
        with db.session() as s:
            return {k: int(v) for k, v in s.execute(select(Job.state, func.count()).group_by(Job.state)).all()}
    finally:
        db.dispose()


def stored_calls(url: str, accepted: set[str]) -> int:
    """How many of the ``accepted`` call ids have a call row."""
    db = open_database(url, run_migrations=False)
    try:
        with db.session() as s:
            return len(accepted & set(s.scalars(select(Call.external_id)).all()))
    finally:
        db.dispose()


def queue_backlog(base: str, url: str, calls: int) -> None:
    """Queue ``calls`` long stereo calls and wait until the worker transcribes one: it is busy from now on."""
    for n in range(calls):
        body, headers = signed(f"backlog-{n}-{uuid.uuid4().hex[:8]}", LONG_CALL, {"0": "agent", "1": "customer"})
        assert httpx.post(base + "/v1/calls", content=body, headers=headers, timeout=60).status_code == 202
    running_states = {s.value for s in RUNNING_STATES}
    deadline = time.monotonic() + 240
    while not running_states & {k for k, v in job_states(url).items() if v}:
        if time.monotonic() > deadline:
            raise SystemExit("the worker never started transcribing")
        time.sleep(0.5)


class BusySampler:
    """Reads the job table twice a second while a measurement runs: the share of samples with a job running."""

    def __init__(self, url: str) -> None:
        self.url, self.samples, self.busy = url, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._running = {s.value for s in RUNNING_STATES}

    def __enter__(self) -> BusySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        db = open_database(self.url, run_migrations=False)
        try:
            while not self._stop.wait(0.5):
                with db.session() as s:
                    n = s.scalar(select(func.count()).select_from(Job).where(Job.state.in_(self._running)))
                self.samples += 1
                self.busy += bool(n)
        finally:
            db.dispose()

    @property
    def share(self) -> float:
        return self.busy / self.samples if self.samples else 0.0


def line(name: str, tally: Tally) -> str:
    n = len(tally.latencies)
    return (f"{name:22} {n:6d} req  {n / tally.wall:6.1f} req/s   p50 {pct(tally.latencies, 50) * 1000:7.1f} ms   "
            f"p99 {pct(tally.latencies, 99) * 1000:7.1f} ms   max {max(tally.latencies) * 1000:7.1f} ms   "
            f"non-202 {tally.errors}")


def ratio_line(label: str, product: Tally, bare: Tally) -> str:
    p99 = pct(product.latencies, 99) / pct(bare.latencies, 99)
    p50 = pct(product.latencies, 50) / pct(bare.latencies, 50)
    return f"ratio {label:14} p99 {p99:5.2f}x   p50 {p50:5.2f}x   (product / bare endpoint)"
