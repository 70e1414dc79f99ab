"""A real ``puheturva serve`` in a child process: the way the Dockerfile, compose and ``make run`` start it.

Used by the tests of start-up refusals, file modes and the demo: they need the real CLI, the real process
umask and the real uvicorn, not an app object inside the test process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
# Settings a test must not inherit from the shell that runs pytest.
SCRUBBED = ("ENVIRONMENT", "DATABASE_URL", "ENCRYPTION_KEY", "INDEX_KEY", "AUDIT_KEY", "WEBHOOK_SECRET",
            "CLIENTS_FILE", "DEMO", "QUEUE", "METRICS_TOKEN", "RETENTION_CONFIG", "REGISTER_FILE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The test runner's environment without inherited ``PUHETURVA_*`` settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if k.removeprefix("PUHETURVA_") not in SCRUBBED}
    env["PUHETURVA_DATA_DIR"] = str(data_dir)
    env.update({f"PUHETURVA_{k}": v for k, v in settings.items()})
    return env


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(env: dict[str, str], log: Path, *, host: str = "127.0.0.1", port: int | None = None,
          umask: int = 0o022, timeout: float = 90) -> Iterator[Served]:
    """Start ``puheturva serve`` (umask 022 like a default shell); yield once it answers or has exited."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "service.cli", "serve", "--host", host, "--port", str(port)]

    def _umask() -> None:
        os.umask(umask)

    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=_umask)
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and not _answers(served.base + "/healthz"):
            if time.monotonic() > deadline:
                raise AssertionError(f"the server neither answered nor exited:\n{served.output}")
            time.sleep(0.2)
        yield served
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
