"""Data stays on the machine by construction: a recording processed by the CLI, and a webhook delivery stored by
a real server with its embedded worker, while every outbound connection except loopback is refused and recorded.

The guard is a ``sitecustomize.py`` on the child's ``PYTHONPATH``: it wraps ``socket.socket.connect``/
``connect_ex``, ``socket.create_connection`` and ``socket.getaddrinfo`` (a DNS lookup is itself outbound), writes
each non-loopback target to a file and raises ``OSError`` instead. The test reads the file: empty means nothing
even tried. Where ``unshare -rn`` works, the CLI also runs in a network namespace with no interface up at all.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET
from tests.service.server_process import ROOT, clean_env, serve

DATA = ROOT / "tests" / "data"

GUARD = '''
"""Test guard: refuse and record every non-loopback connection attempt of this process."""
import ipaddress
import os
import socket

_LOG = os.environ["PUHETURVA_TEST_NET_LOG"]
_LOCAL_NAMES = {None, "", "localhost", "localhost.localdomain", "ip6-localhost"}


def _loopback(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what, target):
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {what} {target!r}\\n")
    raise OSError(101, f"outbound connection refused by the test guard: {target!r}")


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _refuse("connect", address)


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_create_connection, _getaddrinfo = socket.create_connection, socket.getaddrinfo


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def create_connection(address, *args, **kwargs):
    if not _loopback(address[0]):
        _refuse("create_connection", address)
    return _create_connection(address, *args, **kwargs)


def getaddrinfo(host, *args, **kwargs):
    if not _loopback(host):
        _refuse("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo
with open(_LOG + ".armed", "a", encoding="utf-8") as f:
    f.write(f"{os.getpid()}\\n")
'''


def _guarded_env(tmp_path: Path, **settings: str) -> tuple[dict[str, str], Path]:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "outbound.log"
    log.write_text("", encoding="utf-8")
    env = clean_env(tmp_path / "var", **settings)
    env["PYTHONPATH"] = f"{guard}:{ROOT}"
    env["PUHETURVA_TEST_NET_LOG"] = str(log)
    return env, log


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


def test_guard_catches_an_outbound_attempt(tmp_path: Path) -> None:
    """The guard itself: a child that tries to reach a public address is recorded and refused."""
    env, log = _guarded_env(tmp_path)
    code = "import socket\ntry:\n socket.create_connection(('192.0.2.1', 443), timeout=1)\nexcept OSError:\n pass"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=60)
    assert "192.0.2.1" in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_process_cli_makes_no_outbound_connection(tmp_path: Path) -> None:
    env, log = _guarded_env(tmp_path)
    cmd = [sys.executable, "-m", "service.cli", "process", str(DATA / "clean.wav"), "--json"]
    if _unshare_works():
        cmd = ["unshare", "-rn", *cmd]  # and no network interface is up at all
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert '"segments"' in done.stdout
    assert Path(str(log) + ".armed").read_text(encoding="utf-8").strip(), "the guard was loaded"
    assert log.read_text(encoding="utf-8") == "", "something tried to connect beyond loopback"


@pytest.mark.slow
def test_webhook_to_stored_call_makes_no_outbound_connection(tmp_path: Path) -> None:
    env, log = _guarded_env(tmp_path, WORKER_THREADS="1")
    with serve(env, tmp_path / "server.log") as served:
        assert served.proc.poll() is None, served.output
        req = signed_call(DEV_WEBHOOK_SECRET, {"call_id": "pbx-offline-1", "direction": "inbound",
                                               "channels": {"0": "customer"}}, (DATA / "clean.wav").read_bytes())
        answer = httpx.post(served.base + "/v1/calls", content=req.body, headers=req.headers, timeout=30)
        assert answer.status_code == 202, answer.text
        db = tmp_path / "var" / "puheturva.db"
        deadline, state = time.monotonic() + 600, None
        while time.monotonic() < deadline:
            with sqlite3.connect(db) as conn:
                state = conn.execute("SELECT state FROM jobs").fetchone()[0]
            if state in ("done", "failed", "dead"):
                break
            time.sleep(1)
        assert state == "done", f"job {state}:\n{served.output[-3000:]}"
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM turns").fetchone()[0] > 0, "the call is stored"
    assert Path(str(log) + ".armed").read_text(encoding="utf-8").strip(), "the guard was loaded"
    assert log.read_text(encoding="utf-8") == "", "something tried to connect beyond loopback"
