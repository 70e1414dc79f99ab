"""Data files are private to the service's account (review #14): 0700 directories, 0600 files.

Reproduced as reviewed: a real ``puheturva serve`` started from a shell with umask 022, one signed call
stored, then the modes of the data dir, the SQLite database with its WAL and SHM, the blob dirs and keys.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store.db import make_engine
from tests.service.server_process import ROOT, clean_env, serve

DATA = ROOT / "tests" / "data"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(root: Path) -> None:
    """Every directory under ``root`` (itself included) is 0700 and every file 0600."""
    wrong = {p.relative_to(root.parent).as_posix(): oct(_mode(p)) for p in [root, *root.rglob("*")]
             if _mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}, f"not private: {wrong}"


def test_served_data_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = clean_env(data, WORKER_THREADS="0")
    with serve(env, tmp_path / "server.log") as served:
        assert served.proc.poll() is None, served.output
        req = signed_call(DEV_WEBHOOK_SECRET, {"call_id": "pbx-modes-1", "direction": "inbound"},
                          (DATA / "clean.wav").read_bytes())
        answer = httpx.post(served.base + "/v1/calls", content=req.body, headers=req.headers, timeout=30)
        assert answer.status_code == 202, answer.text
        names = {p.name for p in data.iterdir()}
        assert {"puheturva.db", "puheturva.db-wal", "puheturva.db-shm", "blobs", "keys"} <= names, names
        _assert_private(data)


def test_cli_creates_a_private_database(tmp_path: Path) -> None:
    data = tmp_path / "var"
    done = subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify"], cwd=ROOT, env=clean_env(data),
                          capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    assert (data / "puheturva.db").is_file()
    _assert_private(data)


def test_engine_makes_sqlite_files_private_whatever_the_umask(tmp_path: Path) -> None:
    """The database layer itself (tests, plain uvicorn, library use) does not rely on the process umask."""
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'd' / 'x.db'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            for suffix in ("", "-wal", "-shm"):
                assert _mode(tmp_path / "d" / f"x.db{suffix}") == 0o600, suffix
        engine.dispose()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "d") == 0o700
