"""Helpers of the scale tests: service URLs (skip when absent) and ``Cluster``, one test deployment."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

PG_ENV, REDIS_ENV, AMQP_ENV = "PUHETURVA_TEST_DATABASE_URL", "PUHETURVA_TEST_REDIS_URL", "PUHETURVA_TEST_AMQP_URL"
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_url(env: str) -> str:
    url = os.environ.get(env)
    if not url:
        pytest.skip(f"{env} not set (run through .ci/run, which starts the service)")
    if not reachable(url):
        pytest.skip(f"{env} is set but nothing answers there")
    return url


class Cluster:
    """Environment, API client and worker processes of one test deployment."""

    def __init__(self, tmp: Path, db_url: str, broker_url: str, monkeypatch: pytest.MonkeyPatch,
                 **extra_env: str) -> None:
        self.tmp, self.broker_url = tmp, broker_url
        self.queue = f"puheturva.test.{uuid.uuid4().hex[:10]}"
        self.env = {"PUHETURVA_DATA_DIR": str(tmp / "var"), "PUHETURVA_DATABASE_URL": db_url,
                    "PUHETURVA_QUEUE": "celery", "PUHETURVA_BROKER_URL": broker_url,
                    "PUHETURVA_CELERY_QUEUE": self.queue, "PUHETURVA_ASR_THREADS": "1", **extra_env}
        self.monkeypatch = monkeypatch
        self.workers: list[tuple[subprocess.Popen, Path]] = []
        self.db: Any = None

    def settings(self, **override: str) -> Any:
        """Settings of the in-process API (env set through monkeypatch, caches cleared)."""
        from service.platform.config import get_settings
        from service.privacy import register, retention

        for name, value in {**self.env, **override}.items():
            self.monkeypatch.setenv(name, value)
        for var in ("ENCRYPTION_KEY", "INDEX_KEY", "ENVIRONMENT", "CLIENTS_FILE", "WEBHOOK_SECRET", "DEMO",
                    "RETENTION_CONFIG", "REGISTER_FILE", "BLOB_BACKEND"):
            self.monkeypatch.delenv(f"PUHETURVA_{var}", raising=False)
        get_settings.cache_clear()
        register._cached.cache_clear()
        retention._cached.cache_clear()
        return get_settings()

    def start_worker(self, *args: str, wait_ready: bool = True) -> subprocess.Popen:
        """``puheturva worker ARGS`` in a new process group (so a SIGKILL takes its pool children too)."""
        log = self.tmp / f"worker{len(self.workers)}.log"
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", *args], cwd=ROOT,
                                env={**os.environ, **self.env}, stdout=log.open("ab"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append((proc, log))
        if wait_ready:
            wait_for(lambda: proc.poll() is None and " ready." in log.read_text(errors="replace"), 120,
                     f"worker {len(self.workers) - 1} to be ready", lambda: self.logs())
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool: a machine that vanished mid-job."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def log(self, proc: subprocess.Popen) -> str:
        return next(log for p, log in self.workers if p is proc).read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _, log in self.workers)

    def stop(self) -> None:
        for proc, _ in self.workers:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(proc)
        if self.db is not None:
            self.db.dispose()
        self._delete_queue()

    def _delete_queue(self) -> None:
        from kombu import Connection

        try:
            with Connection(self.broker_url, connect_timeout=3) as conn:
                conn.default_channel.queue_delete(self.queue)
        except Exception:  # best effort: a leftover test queue is harmless
            pass


def wait_for(predicate: Callable[[], Any], timeout: float, what: str,
             explain: Callable[[], str] | None = None, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{explain()}" if explain else ""))


