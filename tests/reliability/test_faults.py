"""Real faults, each with the answer the service must give and what it must (not) leave behind.

- the database goes away (SQLite locked past the busy timeout; PostgreSQL unreachable, or its connection
  cut in the middle of the ingest transaction): 503 + Retry-After, nothing half-written, the retry succeeds;
- the audio store's disk is full (a real 64 kB tmpfs) or unwritable: 507/503, no rows, no files;
- a stage raises mid-job: failed with a PII-free reason, retried with exponential back-off, then dead and
  visible through the API and the metrics;
- the model file is corrupt: ``puheturva process`` and ``puheturva serve`` exit with one clear line;
- clock skew on webhook signatures: ±299 s accepted, ±301 s refused.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from models.provenance import utcnow
from service.jobs.run import run_claimed_job
from service.platform import signing
from service.platform.config import DEV_WEBHOOK_SECRET
from service.store import db as db_module
from service.store.db import open_database
from service.store.repo_jobs import claim_next_job
from tests.reliability.conftest import tokens_for_roles
from tests.reliability.helpers import DATA, ROOT, TcpProxy, blob_files, pg_schema_url, post_call, snapshot, table_counts
from tests.service.test_webhook import META

AUDIO = (DATA / "phone.wav").read_bytes()
HETU = "131052-308T"
EMPTY = {"calls": 0, "jobs": 0, "artefacts": 0, "webhook_deliveries": 0}


def counts(db: Any) -> dict[str, int]:
    c = table_counts(db)
    return {k: c[k] for k in EMPTY}


# --- database unavailable -----------------------------------------------------------------------------

def test_sqlite_locked_gives_503_then_the_retry_succeeds(make_api: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the write lock longer than the busy timeout (a stuck backup, a long migration)."""
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "locked.db"
    with make_api(DATABASE_URL=f"sqlite:///{path}") as api:
        tokens = tokens_for_roles(api.app.state.ctx.db)
        req_meta = {**META, "call_id": "pbx-locked-1"}
        from service.calls.telephony_client import signed_call

        req = signed_call(DEV_WEBHOOK_SECRET, req_meta, AUDIO, msg_id="msg_locked")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            r = api.post("/v1/calls", content=req.body, headers=req.headers)
            assert r.status_code == 503 and r.headers["retry-after"], r.text
            assert r.json() == {"error": "store_unavailable", "detail": "the database is unavailable; retry later"}
            r = api.get("/v1/calls/pbx-locked-1", headers={"authorization": f"Bearer {tokens['admin']}"})
            assert r.status_code == 503 and r.headers["retry-after"]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert counts(api.app.state.ctx.db) == EMPTY and blob_files(api.app.state.ctx.settings.blob_dir) == {}
        again = api.post("/v1/calls", content=req.body, headers=req.headers)  # the sender's retry, unchanged
        assert again.status_code == 202, again.text
        assert counts(api.app.state.ctx.db) == {"calls": 1, "jobs": 1, "artefacts": 1, "webhook_deliveries": 1}


@pytest.fixture
def pg_behind_proxy() -> Iterator[tuple[str, str, TcpProxy]]:
    """(direct URL, URL through the proxy, proxy) of a fresh PostgreSQL schema."""
    with pg_schema_url() as url:
        u = make_url(url)
        proxy = TcpProxy((u.host or "127.0.0.1", u.port or 5432))
        proxy.up()
        try:
            yield url, proxy.url_for(url), proxy
        finally:
            proxy.down()


@pytest.mark.postgres
def test_postgres_unreachable_gives_503_then_the_retry_succeeds(make_api: Any, pg_behind_proxy: Any) -> None:
    direct_url, proxied_url, proxy = pg_behind_proxy
    direct = open_database(direct_url)
    try:
        with make_api(DATABASE_URL=proxied_url) as api:
            blob_dir = api.app.state.ctx.settings.blob_dir
            from service.calls.telephony_client import signed_call

            req = signed_call(DEV_WEBHOOK_SECRET, {**META, "call_id": "pbx-pg-down"}, AUDIO, msg_id="msg_pg")
            proxy.down()
            r = api.post("/v1/calls", content=req.body, headers=req.headers)
            assert r.status_code == 503 and r.headers["retry-after"] and r.json()["error"] == "store_unavailable"
            assert api.get("/readyz").status_code == 503
            proxy.up()
            assert counts(direct) == EMPTY and blob_files(blob_dir) == {}
            r = api.post("/v1/calls", content=req.body, headers=req.headers)
            assert r.status_code == 202, r.text
            assert counts(direct) == {"calls": 1, "jobs": 1, "artefacts": 1, "webhook_deliveries": 1}
    finally:
        direct.dispose()


@pytest.mark.postgres
def test_postgres_connection_lost_mid_transaction_leaves_nothing(make_api: Any, pg_behind_proxy: Any) -> None:
    """The connection dies as the call row is inserted, after the blob was written: both are undone."""
    direct_url, proxied_url, proxy = pg_behind_proxy
    direct = open_database(direct_url)
    try:
        with make_api(DATABASE_URL=proxied_url) as api:
            blob_dir = api.app.state.ctx.settings.blob_dir
            from service.calls.telephony_client import signed_call

            req = signed_call(DEV_WEBHOOK_SECRET, {**META, "call_id": "pbx-pg-cut"}, AUDIO, msg_id="msg_cut")
            proxy.cut_on = b"INSERT INTO calls"
            r = api.post("/v1/calls", content=req.body, headers=req.headers)
            assert proxy.cuts == 1, "the fault was injected where intended"
            assert r.status_code == 503 and r.headers["retry-after"], r.text
            assert counts(direct) == EMPTY and blob_files(blob_dir) == {}, "nothing half-written"
            proxy.cut_on = None
            r = api.post("/v1/calls", content=req.body, headers=req.headers)
            assert r.status_code == 202, r.text
            assert counts(direct) == {"calls": 1, "jobs": 1, "artefacts": 1, "webhook_deliveries": 1}
            assert len(blob_files(blob_dir)) == 1
    finally:
        direct.dispose()


# --- the audio store's disk ----------------------------------------------------------------------------

@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str = "64k") -> Iterator[bool]:
    """Mount a tmpfs of ``size`` at ``path``; yields False (mounting nothing) where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
                          capture_output=True, check=False)
    try:
        yield done.returncode == 0
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def test_disk_full_gives_507_and_no_rows(make_api: Any, db_url: str, isolated_settings: Path) -> None:
    blob_dir = isolated_settings / "blobs"
    with tiny_tmpfs(blob_dir) as mounted:
        if not mounted:
            pytest.skip("mount -t tmpfs is not permitted here (see the unwritable-store test)")
        with make_api(DATABASE_URL=db_url) as api:
            r = post_call(api, {**META, "call_id": "pbx-full"}, AUDIO, msg_id="msg_full")
            assert r.status_code == 507 and r.headers["retry-after"], r.text
            assert r.json() == {"error": "storage_full", "detail": "the audio store is full; retry later"}
            assert counts(api.app.state.ctx.db) == EMPTY
            assert blob_files(blob_dir) == {}, "the partial temporary file was removed"
            small = (ROOT / "tests" / "data" / "bad_inputs" / "rate_8k.wav").read_bytes()  # 16 kB fits
            assert post_call(api, {**META, "call_id": "pbx-fits"}, small).status_code == 202


def test_unwritable_audio_store_gives_503_and_no_rows(make_api: Any, db_url: str, isolated_settings: Path) -> None:
    """The blob root is not a directory (a botched mount, a mistyped path): a real OSError on every write."""
    isolated_settings.mkdir(parents=True, exist_ok=True)
    (isolated_settings / "blobs").write_bytes(b"not a directory")
    with make_api(DATABASE_URL=db_url) as api:
        r = post_call(api, {**META, "call_id": "pbx-unwritable"}, AUDIO)
        assert r.status_code == 503 and r.headers["retry-after"], r.text
        assert r.json()["error"] == "audio_store_unavailable"
        assert counts(api.app.state.ctx.db) == EMPTY


# --- a stage fails inside a job --------------------------------------------------------------------------

class CrashingPipeline:
    """Stands in for the models: reaches the redaction stage, then fails with a message quoting content,
    the way a library error might (the job's recorded reason must not carry it)."""

    def process(self, audio: Any, channels: Any, progress: Any = None, on_stage: Any = None) -> Any:
        on_stage("redacting")
        raise RuntimeError(f"cannot redact {HETU!r} in turn 3")


def _run_next(ctx: Any, at: Any) -> int:
    with ctx.db.session() as s:
        job = claim_next_job(s, "crash-test", now=at)
        assert job is not None, "a job was due"
        job_id = job.id
    run_claimed_job(ctx, job_id, "crash-test")
    return job_id


def test_stage_crash_is_retried_with_backoff_then_dead_and_visible(make_api: Any, db_url: str,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    from service.store.models import AuditEntry, Call, Job

    with make_api(DATABASE_URL=db_url, JOB_MAX_ATTEMPTS="3") as api:
        ctx = api.app.state.ctx
        ctx._pipeline = CrashingPipeline()
        tokens = tokens_for_roles(ctx.db)
        assert post_call(api, {**META, "call_id": "pbx-crash"}, AUDIO).status_code == 202
        caplog.set_level("DEBUG")
        backoffs = []
        for attempt in (1, 2, 3):
            before = utcnow()
            job_id = _run_next(ctx, before + timedelta(days=attempt))  # "later": the back-off has passed
            with ctx.db.session() as s:
                job = s.get(Job, job_id)
                assert job.attempts == attempt and job.last_error == "redacting: RuntimeError"
                if attempt < 3:
                    assert job.state == "failed" and job.locked_by is None
                    backoffs.append((job.next_attempt_at - before).total_seconds())
                else:
                    assert job.state == "dead" and job.finished_at is not None
                    assert s.get(Call, job.call_id).status == "failed"
                    assert s.query(AuditEntry).filter_by(action="job.dead").count() == 1
        assert 29 < backoffs[0] < 40 and 59 < backoffs[1] < 70, f"exponential back-off, got {backoffs}"
        doc = api.get("/v1/calls/pbx-crash", headers={"authorization": f"Bearer {tokens['privacy_officer']}"})
        assert doc.status_code == 200
        assert doc.json()["status"] == "failed" and doc.json()["job"]["state"] == "dead"
        assert doc.json()["job"]["last_error"] == "redacting: RuntimeError"
        metrics = api.get("/metrics").text
        assert 'puheturva_jobs_finished_total{outcome="dead"}' in metrics
        for text in (doc.text, metrics, caplog.text):
            assert HETU not in text and "131052" not in text


def test_tampered_audio_blob_fails_the_job_cleanly(make_api: Any, db_url: str) -> None:
    """A real fault without models: the encrypted original was altered on disk, so it cannot be opened."""
    from service.store.models import Job

    with make_api(DATABASE_URL=db_url, JOB_MAX_ATTEMPTS="1") as api:
        ctx = api.app.state.ctx
        assert post_call(api, {**META, "call_id": "pbx-tampered"}, AUDIO).status_code == 202
        (blob,) = [p for p in ctx.settings.blob_dir.rglob("*") if p.is_file()]
        data = bytearray(blob.read_bytes())
        data[100] ^= 0x01
        blob.write_bytes(bytes(data))
        job_id = _run_next(ctx, utcnow())
        with ctx.db.session() as s:
            job = s.get(Job, job_id)
            assert (job.state, job.last_error) == ("dead", "transcribing: DecryptionError")


# --- a corrupt model ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corrupt_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the default model: one with a broken header byte, one truncated, one with a flipped weight."""
    from models.default_model import assemble

    src = assemble()
    out = {}
    for kind in ("header", "truncated", "weights"):
        d = tmp_path_factory.mktemp(f"model-{kind}")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(src / name, d / name)
        shutil.copy(src / "model.bin", d / "model.bin")
        with open(d / "model.bin", "r+b") as f:
            if kind == "truncated":
                f.truncate((src / "model.bin").stat().st_size // 2)
            else:
                f.seek(10 if kind == "header" else 70_000_000)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0xFF]))
        out[kind] = d
    return out


def _cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("kind", ["header", "truncated"])
def test_process_refuses_a_corrupt_model_with_one_line(corrupt_models: dict[str, Path], kind: str,
                                                       tmp_path: Path) -> None:
    done = _cli("process", str(DATA / "phone.wav"), env={"PUHETURVA_ASR_MODEL": str(corrupt_models[kind]),
                                                         "PUHETURVA_DATA_DIR": str(tmp_path / "var")})
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "could not load" in lines[-1], done.stderr
    assert "Traceback" not in done.stderr


def test_serve_refuses_to_start_on_a_corrupt_model(corrupt_models: dict[str, Path], tmp_path: Path) -> None:
    from tests.reliability.helpers import free_port

    start = time.monotonic()
    done = _cli("serve", "--port", str(free_port()), env={"PUHETURVA_ASR_MODEL": str(corrupt_models["truncated"]),
                                                           "PUHETURVA_DATA_DIR": str(tmp_path / "var")})
    assert done.returncode == 3, done.stderr
    assert "error: the ASR model cannot be loaded" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - start < 60


def test_corrupt_default_model_is_detected_by_verify_and_readiness(corrupt_models: dict[str, Path],
                                                                     make_api: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A flipped weight byte loads fine in CTranslate2; only the pinned sha256 of the default model sees it."""
    model_dir = corrupt_models["weights"]
    done = _cli("model", "verify", "--target", str(model_dir), env={})
    assert done.returncode == 3 and "corrupt" in done.stderr and "Traceback" not in done.stderr
    monkeypatch.setenv("PUHETURVA_MODEL_DIR", str(model_dir))
    with make_api(DATABASE_URL=f"sqlite:///{tmp_path / 'ready.db'}") as api:
        r = api.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["model"] == "model integrity check failed"


# --- clock skew -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("skew,status", [(-299, 202), (299, 202), (-301, 401), (301, 401)])
def test_clock_skew_on_signatures(api: TestClient, skew: int, status: int) -> None:
    now = time.time()
    # Round so that the skew the server sees stays on the named side of 300 s while the request travels.
    ts = math.ceil(now) + skew if skew < 0 else math.floor(now) + skew
    if abs(skew) > 300:
        ts = math.floor(now) + skew if skew < 0 else math.ceil(now) + skew
    r = post_call(api, {**META, "call_id": f"pbx-skew{skew}"}, AUDIO, timestamp=ts)
    assert r.status_code == status, r.text
    if status == 401:
        assert r.json()["error"] == "stale_signature"
        assert counts(api.app.state.ctx.db)["calls"] == 0


def test_signature_tolerance_is_exactly_300_seconds() -> None:
    body, secret = b"{}", DEV_WEBHOOK_SECRET
    for offset, ok in ((300, True), (-300, True), (300.001, False), (-300.001, False)):
        headers = signing.signed_headers(secret, "m1", body, timestamp=1_700_000_000)
        if ok:
            assert signing.verify(body, headers, [("default", secret)], now=1_700_000_000 + offset).client
        else:
            with pytest.raises(signing.StaleTimestamp):
                signing.verify(body, headers, [("default", secret)], now=1_700_000_000 + offset)


def test_snapshot_helper_sees_rows(api: TestClient) -> None:
    """The "nothing written" assertions above can fail: an accepted call changes the snapshot."""
    before = snapshot(api.app.state.ctx.db, api.app.state.ctx.settings.blob_dir)
    assert post_call(api, {**META, "call_id": "pbx-snap"}, AUDIO).status_code == 202
    assert snapshot(api.app.state.ctx.db, api.app.state.ctx.settings.blob_dir) != before
    assert json.dumps(counts(api.app.state.ctx.db))
