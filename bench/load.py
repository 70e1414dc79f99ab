"""Bounded soak: concurrent webhook clients against the real service, its embedded worker busy meanwhile.

``puheturva serve`` runs as a uvicorn subprocess on loopback with the default embedded worker (real models),
on a fresh data directory. ``--clients`` concurrent telephony clients each post short signed calls
(``tests/data/phone.wav``, a distinct call id each) back to back for ``--seconds``. Afterwards the database
is read directly. Printed: requests/s (overall and the slowest 10 s window, i.e. what was *held*), latency
p50/p99, errors (anything but 202; must be 0), calls lost (202 answers without a call row; must be 0) and
how many jobs finished while the soak ran and after a short drain.

    .venv/bin/python bench/load.py                 # 60 s, 20 clients
    .venv/bin/python bench/load.py --seconds 300   # the 5-minute soak
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store.db import open_database
from service.store.models import Call, Job

ROOT = Path(__file__).resolve().parents[1]
AUDIO = (ROOT / "tests/data/phone.wav").read_bytes()
with wave.open(str(ROOT / "tests/data/phone.wav"), "rb") as _w:
    AUDIO_S = _w.getnframes() / _w.getframerate()
WINDOW_S = 10.0


@dataclass
class Tally:
    """What the clients saw: per-request latency and answer, and the call ids the service accepted."""

    latencies: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    accepted: set[str] = field(default_factory=set)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                            cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180  # the model is loaded (and checked) before the port opens
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


async def soak(base: str, clients: int, seconds: float) -> Tally:
    tally = Tally()
    stop_at = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient, n: int) -> None:
        while time.monotonic() < stop_at:
            call_id = f"load-{n}-{uuid.uuid4().hex[:12]}"
            req = signed_call(DEV_WEBHOOK_SECRET, {"call_id": call_id, "channels": {"0": "customer"}}, AUDIO)
            t = time.perf_counter()
            try:
                resp = await http.post(f"{base}/v1/calls", content=req.body, headers=req.headers)
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
        await asyncio.gather(*(client(http, n) for n in range(clients)))
    return tally


def held_rate(finished_at: list[float]) -> float:
    """Requests per second in the slowest full ``WINDOW_S`` window."""
    if not finished_at:
        return 0.0
    start, end = min(finished_at), max(finished_at)
    windows = Counter(int((t - start) // WINDOW_S) for t in finished_at)
    full = [windows.get(i, 0) for i in range(int((end - start) // WINDOW_S))]
    return min(full) / WINDOW_S if full else len(finished_at) / max(end - start, 1e-9)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def read_store(url: str, accepted: set[str]) -> tuple[int, dict[str, int]]:
    """(accepted call ids that have a row, jobs per state)."""
    db = open_database(url, run_migrations=False)
    try:
        with db.session() as s:
            stored = set(s.scalars(select(Call.external_id)).all())
            states = dict(s.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    finally:
        db.dispose()
    return len(accepted & stored), {k: int(v) for k, v in states.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--drain", type=float, default=10.0, help="seconds to let the worker go on afterwards")
    ap.add_argument("--database-url", help="default: SQLite in the temporary data directory")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="puheturva-load-") as tmp:
        data = Path(tmp) / "var"
        url = args.database_url or f"sqlite:///{data / 'puheturva.db'}"
        env = {**os.environ, "PUHETURVA_DATA_DIR": str(data), "PUHETURVA_DATABASE_URL": url}
        port, log = free_port(), Path(tmp) / "server.log"
        server = start_server(env, port, log)
        try:
            started = time.monotonic()
            tally = asyncio.run(soak(f"http://127.0.0.1:{port}", args.clients, args.seconds))
            wall = time.monotonic() - started
            _, at_end = read_store(url, tally.accepted)
            time.sleep(args.drain)
            stored, states = read_store(url, tally.accepted)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    n = len(tally.latencies)
    errors = n - tally.statuses["202"]
    print(f"soak {args.seconds:.0f} s, {args.clients} concurrent clients, {len(AUDIO)} byte WAV "
          f"({AUDIO_S:.1f} s audio) each, embedded worker on, loopback")
    print(f"requests        {n} in {wall:.1f} s: {n / wall:.1f} req/s overall, "
          f"{held_rate(tally.finished_at):.1f} req/s in the slowest {WINDOW_S:.0f} s window")
    print(f"latency         p50 {statistics.median(tally.latencies) * 1000:.0f} ms   "
          f"p99 {pct(tally.latencies, 99) * 1000:.0f} ms   max {max(tally.latencies) * 1000:.0f} ms")
    print(f"errors          {errors}" + (f"  {dict(tally.statuses)}" if errors else ""))
    print(f"calls lost      {len(tally.accepted) - stored} (accepted {len(tally.accepted)}, rows {stored})")
    print(f"jobs finished   {at_end.get('done', 0)} by the end of the soak, {states.get('done', 0)} after "
          f"{args.drain:.0f} s drain; now {states}")
    if errors or len(tally.accepted) != stored:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
