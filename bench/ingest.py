"""Webhook ingest throughput and latency vs a bare FastAPI endpoint that only stores the upload.

Both servers run as real uvicorn processes on loopback; N concurrent clients post the same short recording
(distinct call ids). The product's side verifies the signature, parses multipart, validates the audio,
encrypts and writes it, and commits call + job + delivery rows before answering 202. Workers are off, so this
measures the ingest tier alone.

    .venv/bin/python bench/ingest.py [--clients 8] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parents[1]
AUDIO = (ROOT / "tests/data/phone.wav").read_bytes()

BARE_APP = '''
import os, uuid
from fastapi import FastAPI, Request
app = FastAPI()
DIR = os.environ["BARE_DIR"]
@app.post("/v1/calls", status_code=202)
async def store(request: Request):
    body = await request.body()
    name = os.path.join(DIR, uuid.uuid4().hex)
    with open(name, "wb") as f:
        f.write(body)
    return {"status": "queued"}
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


async def load(port: int, clients: int, requests: int) -> tuple[float, list[float], int]:
    reqs = [signed_call(DEV_WEBHOOK_SECRET, {"call_id": f"bench-{uuid.uuid4().hex[:12]}"}, AUDIO)
            for _ in range(requests)]
    queue: asyncio.Queue = asyncio.Queue()
    for r in reqs:
        queue.put_nowait(r)
    latencies: list[float] = []
    errors = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            r = queue.get_nowait()
            t = time.perf_counter()
            resp = await http.post(f"http://127.0.0.1:{port}/v1/calls", content=r.body, headers=r.headers)
            latencies.append(time.perf_counter() - t)
            errors += resp.status_code != 202

    async with httpx.AsyncClient(timeout=60) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - t0
    return wall, latencies, errors


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name in ("bare", "puheturva"):
            port = free_port()
            env = {**os.environ, "BARE_DIR": tmp, "PUHETURVA_DATA_DIR": str(Path(tmp) / "var"),
                   "PUHETURVA_WORKER_THREADS": "0"}
            env.pop("PUHETURVA_DATABASE_URL", None)
            if name == "bare":
                (Path(tmp) / "bare_app.py").write_text(BARE_APP)
                cmd = [sys.executable, "-m", "uvicorn", "--app-dir", tmp, "bare_app:app", "--port", str(port),
                       "--log-level", "warning"]
            else:
                cmd = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
            proc = start(cmd, env, port)
            try:
                asyncio.run(load(port, args.clients, 10))  # warm-up
                results[name] = asyncio.run(load(port, args.clients, args.requests))
            finally:
                proc.terminate()
                proc.wait(10)
    print(f"{args.requests} requests, {args.clients} concurrent clients, {len(AUDIO)} byte WAV, loopback")
    for name, (wall, lat, errors) in results.items():
        print(f"{name:10} {args.requests / wall:7.1f} req/s   p50 {statistics.median(lat) * 1000:6.1f} ms   "
              f"p99 {pct(lat, 99) * 1000:6.1f} ms   errors {errors}")
    bare_wall, prod_wall = results["bare"][0], results["puheturva"][0]
    print(f"throughput ratio puheturva / bare: {bare_wall / prod_wall:.2f}")


if __name__ == "__main__":
    main()
