"""Bounded soak: concurrent webhook clients against the real service while its embedded worker transcribes,
beside a bare FastAPI endpoint measured in the same run.

``puheturva serve`` runs as a uvicorn subprocess on loopback with one embedded worker process (real models),
on a fresh data directory, the queue limits off (every delivery is measured, none refused). A backlog of long
calls keeps the worker transcribing from the first second; ``--clients`` concurrent telephony clients then
post short signed calls (``tests/data/phone.wav``, a distinct call id each) back to back for ``--seconds``.
The bare endpoint (stores the upload: parses the multipart body, writes the audio part to a file, answers 202;
its own uvicorn process) gets the same clients for ``--seconds / 2`` before and after, while the worker still
transcribes. With ``--idle-seconds`` both are also measured with no worker process at all.

Printed: requests/s (overall and the slowest 10 s window, i.e. what was *held*), latency p50/p99, errors
(anything but 202; must be 0), calls lost (202 answers without a call row; must be 0), how many jobs finished
while the soak ran and after a short drain, the share of time the worker was transcribing, and the p99
ratio to the bare endpoint (target: ≤ 1.5 with the worker busy, 20 clients).

    .venv/bin/python bench/load.py                 # 60 s, 20 clients
    .venv/bin/python bench/load.py --seconds 300   # the 5-minute soak
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import wave
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._ingest_servers import (  # noqa: E402
    AUDIO,
    BusySampler,
    Tally,
    bare_server,
    job_states,
    line,
    load,
    pct,
    product_env,
    product_server,
    queue_backlog,
    ratio_line,
    stored_calls,
)

with wave.open(str(ROOT / "tests/data/phone.wav"), "rb") as _w:
    AUDIO_S = _w.getnframes() / _w.getframerate()
WINDOW_S = 10.0
TARGET = 1.5


def held_rate(finished_at: list[float]) -> float:
    """Requests per second in the slowest full ``WINDOW_S`` window."""
    if not finished_at:
        return 0.0
    start, end = min(finished_at), max(finished_at)
    windows = Counter(int((t - start) // WINDOW_S) for t in finished_at)
    full = [windows.get(i, 0) for i in range(int((end - start) // WINDOW_S))]
    return min(full) / WINDOW_S if full else len(finished_at) / max(end - start, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--idle-seconds", type=float, default=0.0, help="also measure both with no worker")
    ap.add_argument("--backlog", type=int, default=4, help="long calls queued before the soak")
    ap.add_argument("--drain", type=float, default=10.0, help="seconds to let the worker go on afterwards")
    ap.add_argument("--database-url", help="default: SQLite in the temporary data directory")
    args = ap.parse_args()
    c = args.clients
    idle: tuple[Tally, Tally] | None = None
    with tempfile.TemporaryDirectory(prefix="puheturva-load-") as tmp_name:
        tmp = Path(tmp_name)
        with bare_server(tmp) as bare:
            load(bare, c, requests=20, tag="warm")
            if args.idle_seconds > 0:
                with product_server(product_env(tmp, "idle", 0), tmp / "idle.log") as api_only:
                    load(api_only, c, requests=20, tag="warm")
                    idle = (load(bare, c, seconds=args.idle_seconds, tag="bare-idle"),
                            load(api_only, c, seconds=args.idle_seconds, tag="idle"))
            env = product_env(tmp, "busy", 1, args.database_url)
            url = env["PUHETURVA_DATABASE_URL"]
            with product_server(env, tmp / "server.log") as server:
                queue_backlog(server, url, args.backlog)
                with BusySampler(url) as sampler:
                    bare_busy = load(bare, c, seconds=args.seconds / 2, tag="bare-busy")
                    started = time.monotonic()
                    tally = load(server, c, seconds=args.seconds, tag="load")
                    wall = time.monotonic() - started
                    bare_busy = bare_busy.merge(load(bare, c, seconds=args.seconds / 2, tag="bare-busy"))
                at_end = job_states(url)
                time.sleep(args.drain)
                stored, states = stored_calls(url, tally.accepted), job_states(url)
    n = len(tally.latencies)
    print(f"soak {args.seconds:.0f} s, {c} concurrent clients, {len(AUDIO)} byte WAV ({AUDIO_S:.1f} s audio) "
          f"each, one embedded worker process, loopback")
    print(f"requests        {n} in {wall:.1f} s: {n / wall:.1f} req/s overall, "
          f"{held_rate(tally.finished_at):.1f} req/s in the slowest {WINDOW_S:.0f} s window")
    print(f"latency         p50 {pct(tally.latencies, 50) * 1000:.0f} ms   p99 {pct(tally.latencies, 99) * 1000:.0f} ms"
          f"   max {max(tally.latencies) * 1000:.0f} ms")
    print(f"errors          {tally.errors}" + (f"  {dict(tally.statuses)}" if tally.errors else ""))
    print(f"calls lost      {len(tally.accepted) - stored} (accepted {len(tally.accepted)}, rows {stored})")
    print(f"jobs finished   {at_end.get('done', 0)} by the end of the soak, {states.get('done', 0)} after "
          f"{args.drain:.0f} s drain; now {states}")
    print(f"worker          transcribing in {sampler.share:.0%} of {sampler.samples} samples (bare + product phases)")
    if idle is not None:
        print(line("bare, worker idle", idle[0]))
        print(line("puheturva, no worker", idle[1]))
    print(line("bare, worker busy", bare_busy))
    print(line("puheturva, busy", tally))
    if idle is not None:
        print(ratio_line("worker idle", idle[1], idle[0]))
    print(ratio_line("worker busy", tally, bare_busy))
    busy_ratio = pct(tally.latencies, 99) / pct(bare_busy.latencies, 99)
    print(f"target busy p99 <= {TARGET}x bare: {'met' if busy_ratio <= TARGET else 'NOT met'} ({busy_ratio:.2f}x)")
    if tally.errors or len(tally.accepted) != stored:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
