"""Helpers of the reliability tests: store snapshots, signed deliveries, PostgreSQL schemas, a TCP proxy.

The proxy stands between the service and a real PostgreSQL server so that a test can take the database
away (stop listening, cut open connections) and give it back, without touching the server others share.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store.db import Database
from service.store.models import Base
from tests.pg import fresh_schema_url

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad_inputs"
PG_ENV = "PUHETURVA_TEST_DATABASE_URL"
ROLES = ("qa_reviewer", "privacy_officer", "admin")
CLIENT_LOGGERS = ("httpx", "httpcore")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "sqlalchemy.engine", "service",
           "models", "redaction", "faster_whisper")


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table of every table the ORM knows."""
    with db.session() as s:
        return {t.name: int(s.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables}


def blob_files(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under the blob root (temporary files included)."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot(db: Database, blob_root: Path) -> tuple[dict[str, int], dict[str, str]]:
    """What "the store is unchanged" compares: row counts and the exact blob files."""
    return table_counts(db), blob_files(blob_root)


def post_call(client: Any, meta: dict[str, Any] | str, audio: bytes, *, secret: str = DEV_WEBHOOK_SECRET,
              **kw: Any) -> Any:
    """A signed webhook delivery through ``client`` (a TestClient or an httpx client)."""
    req = signed_call(secret, meta, audio, **kw)
    return client.post("/v1/calls", content=req.body, headers=req.headers)


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose ``search_path`` is a fresh PostgreSQL schema (dropped afterwards); skip without PG."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set")
    with fresh_schema_url(base) as url:
        yield url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TcpProxy:
    """A loopback TCP forwarder to ``target``; ``down()`` refuses new and cuts open connections, ``up()``
    listens again on the same port. ``cut_on`` (bytes): cut the connection when the client sends them —
    a database lost in the middle of a transaction."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.cut_on: bytes | None = None
        self.cuts = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            _close(conn)

    def url_for(self, url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._conns += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        try:
            while data := src.recv(65536):
                if from_client and self.cut_on is not None and self.cut_on in data:
                    self.cuts += 1
                    break
                dst.sendall(data)
        except OSError:
            pass
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class Capture(logging.Handler):
    """Every record at every level, formatted with its exception text (what a log file would hold)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS):
            return  # the test's own HTTP client logging the URLs it requests, not the service
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
