"""A call through the whole product: signed webhook → durable job → real models → stored redacted results.

Also the crash test: a server SIGKILLed mid-job resumes the job on restart, with no duplicate rows.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.privacy import subject_index
from service.privacy.audit import verify as verify_audit
from service.store.db import open_database
from service.store.models import Artefact, AuditEntry, Entity, Job, Provenance, Tombstone, Turn
from service.store.repo_users import create_user

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
GOLD = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))["call_stereo.wav"]
META = {"call_id": "pbx-e2e-1", "direction": "inbound", "caller": "+358 40 111 2233", "queue": "tekninen",
        "agent_id": "a-3", "channels": {"0": "agent", "1": "customer"}}


def wait_for(predicate, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        yield client


def test_call_is_processed_stored_redacted_and_indexed(served: TestClient) -> None:
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "call_stereo.wav").read_bytes())
    assert served.post("/v1/calls", content=req.body, headers=req.headers).status_code == 202
    db = served.app.state.ctx.db
    with db.session() as s:
        _user, token = create_user(s, "qa-anna", "qa_reviewer")
    auth = {"authorization": f"Bearer {token}"}

    def done():
        doc = served.get("/v1/calls/pbx-e2e-1", headers=auth).json()
        assert doc["status"] != "failed", doc["job"]
        return doc if doc["status"] == "done" else None

    doc = wait_for(done, 600, "the call to be processed", every=2)
    text = json.dumps(doc, ensure_ascii=False)
    for ident in GOLD["identifiers"]:
        assert ident["value"] not in text
    assert {t["speaker"] for t in doc["turns"]} == {"agent", "customer"}
    assert {"HETU", "PHONE"} <= {e["type"] for e in doc["entities"]}
    assert all(e["category"] for e in doc["entities"])
    assert any(c["kind"] == "call_reason" for c in doc["classifications"])
    stages = {p["stage"] for p in doc["provenance"]}
    assert {"transcribe:channel0", "transcribe:channel1", "detect_and_redact_text", "redact_audio",
            "classify"} <= stages
    kinds = {r["artefact"]: r for r in doc["retention"]}
    assert set(kinds) == {"redacted_audio", "redacted_transcript", "entities", "classification"}
    assert kinds["redacted_audio"]["retain_until"] < kinds["redacted_transcript"]["retain_until"]
    audio = served.get("/v1/calls/pbx-e2e-1/audio", headers=auth)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    with db.session() as s:
        # The original recording is gone (default policy), with a tombstone saying so.
        orig = s.scalars(select(Artefact).where(Artefact.kind == "original_audio")).one()
        assert orig.deleted_at is not None
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 1
        call_id = orig.call_id
        assert subject_index.find_calls(s, [("phone", "040 111 2233")]) == {call_id}
        spoken_phone = next(i["value"] for i in GOLD["identifiers"] if i["type"] == "PHONE")
        assert subject_index.find_calls(s, [("phone", spoken_phone)]) == {call_id}, "spoken number indexed"
        assert subject_index.find_calls(s, [("phone", "040 999 8888")]) == set()
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert "job.done" in actions and "call.view" in actions
        assert verify_audit(s).ok


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_sigkill_mid_job_resumes_without_duplicates(tmp_path: Path, db_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "PUHETURVA_DATA_DIR": str(tmp_path / "var"), "PUHETURVA_DATABASE_URL": db_url,
           "PUHETURVA_JOB_STALE_AFTER_S": "3"}
    log = tmp_path / "server.log"
    server = _serve(env, port, log)
    db = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _ok(base + "/healthz"), 60, "the server to start")
        req = signed_call(DEV_WEBHOOK_SECRET, {**META, "call_id": "pbx-kill-1"},
                          (DATA / "call_stereo.wav").read_bytes())
        assert httpx.post(base + "/v1/calls", content=req.body, headers=req.headers).status_code == 202
        db = open_database(db_url)

        def job_state():
            with db.session() as s:
                return s.scalars(select(Job)).one().state

        wait_for(lambda: job_state() == "transcribing", 120, "the job to start")
        time.sleep(2.0)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        assert job_state() == "transcribing", "killed mid-job"
        server = _serve(env, port, log)
        wait_for(lambda: job_state() == "done", 600, "the job to resume and finish", every=1)
        with db.session() as s:
            job = s.scalars(select(Job)).one()
            assert job.attempts == 2
            idx = list(s.scalars(select(Turn.idx)))
            assert idx and len(idx) == len(set(idx))
            assert s.scalar(select(func.count()).select_from(Entity)) >= 2
            kinds = list(s.scalars(select(Artefact.kind)))
            assert len(kinds) == len(set(kinds))
            stages = list(s.scalars(select(Provenance.stage)))
            assert stages.count("redact_audio") == 1
            done = [a for a in s.scalars(select(AuditEntry)) if a.action == "job.done"]
            assert len(done) == 1
        assert "Traceback" not in log.read_text(errors="replace")
    finally:
        if db is not None:
            db.dispose()
        server.kill()
        server.wait(10)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
