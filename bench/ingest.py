"""Webhook ingest latency vs a bare FastAPI endpoint, with the embedded worker idle and busy, in one run.

The bare endpoint only stores the upload (parses the multipart body, writes the audio part to a file, 202);
the product verifies the signature, checks the queue, parses multipart, validates the audio in the decoder
sandbox, encrypts and writes it with fsync, and commits call + job + delivery rows before its 202. Each runs
as its own uvicorn process on loopback and gets the same ``--requests`` from ``--clients`` concurrent clients.

- idle: the product with no worker process (``PUHETURVA_WORKER_PROCESSES=0``), and the bare endpoint;
- busy: the product with one worker process kept transcribing by a backlog of long calls, and the bare
  endpoint measured while that worker transcribes (bare, product, bare again: drift cancels out).

Target (issue 15): busy p99 ≤ 1.5 × the bare endpoint's p99 at 20 clients. The machine's other load is
in both sides of each ratio, never in one only.

    .venv/bin/python bench/ingest.py [--clients 20] [--requests 400]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._ingest_servers import (  # noqa: E402
    AUDIO,
    BusySampler,
    bare_server,
    line,
    load,
    pct,
    product_env,
    product_server,
    queue_backlog,
    ratio_line,
)

TARGET = 1.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--backlog", type=int, default=4, help="long calls queued to keep the worker busy")
    args = ap.parse_args()
    n, c = args.requests, args.clients
    with tempfile.TemporaryDirectory(prefix="puheturva-ingest-") as tmp_name:
        tmp = Path(tmp_name)
        with bare_server(tmp) as bare:
            load(bare, c, requests=20, tag="warm")
            with product_server(product_env(tmp, "idle", 0), tmp / "idle.log") as idle:
                load(idle, c, requests=20, tag="warm")
                bare_idle = load(bare, c, requests=n, tag="bare-idle")
                product_idle = load(idle, c, requests=n, tag="idle")
            env = product_env(tmp, "busy", 1)
            with product_server(env, tmp / "busy.log") as busy:
                queue_backlog(busy, env["PUHETURVA_DATABASE_URL"], args.backlog)
                with BusySampler(env["PUHETURVA_DATABASE_URL"]) as sampler:
                    bare_busy = load(bare, c, requests=n // 2, tag="bare-busy")
                    product_busy = load(busy, c, requests=n, tag="busy")
                    bare_busy = bare_busy.merge(load(bare, c, requests=n - n // 2, tag="bare-busy"))
    print(f"{n} requests per side, {c} concurrent clients, {len(AUDIO)} byte WAV, loopback")
    print(line("bare, worker idle", bare_idle))
    print(line("puheturva, idle", product_idle))
    print(line("bare, worker busy", bare_busy))
    print(line("puheturva, busy", product_busy))
    print(f"worker transcribing in {sampler.share:.0%} of {sampler.samples} samples during the busy phase")
    print(ratio_line("worker idle", product_idle, bare_idle))
    print(ratio_line("worker busy", product_busy, bare_busy))
    busy_ratio = pct(product_busy.latencies, 99) / pct(bare_busy.latencies, 99)
    print(f"target busy p99 <= {TARGET}x bare: {'met' if busy_ratio <= TARGET else 'NOT met'} ({busy_ratio:.2f}x)")


if __name__ == "__main__":
    main()
