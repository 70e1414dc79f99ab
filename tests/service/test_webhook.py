"""The webhook through the real ASGI app on real SQLite/PostgreSQL: accepted once, refused cleanly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.models import Artefact, Call, Job, SubjectTerm, WebhookDelivery

DATA = Path(__file__).resolve().parents[1] / "data"
WAV = (DATA / "hetu.wav").read_bytes()
META = {"call_id": "pbx-1001", "started_at": "2026-11-02T09:15:00+02:00", "direction": "inbound",
        "caller": "040 765 1234", "callee": "+358 2 123 4567", "agent_id": "a-17", "queue": "laskutus",
        "channels": {"0": "customer"}}


@pytest.fixture
def api(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        yield client


def post(api: TestClient, meta=META, audio: bytes = WAV, secret: str = DEV_WEBHOOK_SECRET, **kw):
    req = signed_call(secret, meta, audio, **kw)
    return api.post("/v1/calls", content=req.body, headers=req.headers)


def counts(api: TestClient) -> dict[str, int]:
    with api.app.state.ctx.db.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Call, Job, Artefact, WebhookDelivery)}


def blob_files(api: TestClient) -> list[Path]:
    root = get_settings().blob_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_accepts_stores_encrypted_and_queues(api: TestClient) -> None:
    r = post(api)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["call_id"] == "pbx-1001" and body["status"] == "queued"
    assert body["status_url"] == "/v1/calls/pbx-1001" and r.headers["location"] == body["status_url"]
    assert counts(api) == {"calls": 1, "jobs": 1, "artefacts": 1, "webhook_deliveries": 1}
    (blob,) = blob_files(api)
    stored = blob.read_bytes()
    assert b"RIFF" not in stored and WAV[44:2000] not in stored, "audio is encrypted at rest"
    with api.app.state.ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SubjectTerm)) == 2  # caller + callee, as HMACs
        call = s.scalars(select(Call)).one()
        assert call.queue == "laskutus" and call.channels == {"0": "customer"}
        assert "765" not in json.dumps([call.channels, call.agent_id, call.queue])


def test_retries_are_idempotent(api: TestClient) -> None:
    first = post(api, msg_id="msg_same")
    again = post(api, msg_id="msg_same")
    other_id_same_call = post(api, msg_id="msg_other")
    assert first.status_code == again.status_code == other_id_same_call.status_code == 202
    assert first.json() == again.json() == other_id_same_call.json()
    assert counts(api)["calls"] == 1 and counts(api)["jobs"] == 1
    assert len(blob_files(api)) == 1


def test_same_call_id_with_different_audio_is_a_conflict(api: TestClient) -> None:
    assert post(api).status_code == 202
    before = [p.read_bytes() for p in blob_files(api)]
    r = post(api, audio=(DATA / "phone.wav").read_bytes())
    assert r.status_code == 409 and r.json()["error"] == "call_conflict"
    assert counts(api) == {"calls": 1, "jobs": 1, "artefacts": 1, "webhook_deliveries": 1}
    assert [p.read_bytes() for p in blob_files(api)] == before


@pytest.mark.parametrize("secret,code", [
    ("whsec_" + "QUJD" * 10, "bad_signature"),
])
def test_bad_signature_stores_nothing(api: TestClient, secret: str, code: str) -> None:
    r = post(api, secret=secret)
    assert r.status_code == 401 and r.json()["error"] == code
    assert counts(api) == {"calls": 0, "jobs": 0, "artefacts": 0, "webhook_deliveries": 0}
    assert blob_files(api) == []


def test_stale_timestamp_and_missing_headers(api: TestClient) -> None:
    import time

    r = post(api, timestamp=int(time.time()) - 3600)
    assert r.status_code == 401 and r.json()["error"] == "stale_signature"
    r = api.post("/v1/calls", content=b"x", headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 401
    assert counts(api)["calls"] == 0


def _signed_raw(api: TestClient, body: bytes, ctype: str):
    from service.platform.signing import signed_headers

    headers = {**signed_headers(DEV_WEBHOOK_SECRET, "msg_raw", body), "content-type": ctype}
    return api.post("/v1/calls", content=body, headers=headers)


def test_wrong_content_type(api: TestClient) -> None:
    r = _signed_raw(api, json.dumps(META).encode(), "application/json")
    assert r.status_code == 415 and r.json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("meta,code", [
    ('{"call_id": "x",', "invalid_metadata"),
    ({**META, "call_id": "../../etc/passwd"}, "invalid_metadata"),
    ({**META, "call_id": "a' OR 1=1 --"}, "invalid_metadata"),
    ({**META, "channels": {"5": "agent"}}, "invalid_metadata"),
    ({k: v for k, v in META.items() if k != "call_id"}, "invalid_metadata"),
])
def test_malformed_metadata(api: TestClient, meta, code: str) -> None:
    r = post(api, meta=meta)
    assert r.status_code == 422 and r.json()["error"] == code
    assert "765" not in r.text, "the error does not echo personal data"
    assert counts(api)["calls"] == 0


@pytest.mark.parametrize("name", ["empty.wav", "not_audio.wav", "truncated.wav", "zero_samples.wav"])
def test_broken_audio(api: TestClient, name: str) -> None:
    r = post(api, audio=(DATA / "bad" / name).read_bytes())
    assert r.status_code == 422, r.text
    assert r.json()["error"] in {"invalid_audio"}
    assert counts(api)["calls"] == 0 and blob_files(api) == []


def test_limits(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    monkeypatch.setenv("PUHETURVA_MAX_AUDIO_SECONDS", "1")
    monkeypatch.setenv("PUHETURVA_MAX_UPLOAD_BYTES", "20000")
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as api:
        r = post(api)
        assert r.status_code == 413 and r.json()["error"] == "too_large"
        short = (DATA / "bad" / "zero_samples.wav").read_bytes()
        assert len(short) < 20000
        long_small = (DATA / "clean_8k.ul").read_bytes()
        r = post(api, meta={**META, "audio_format": "mulaw"}, audio=long_small[:19000])
        assert r.status_code == 413 and r.json()["error"] == "audio_too_long", r.text
        assert counts(api)["calls"] == 0


def test_reads_need_a_personal_token(api: TestClient) -> None:
    from service.store.repo_users import create_user

    assert post(api).status_code == 202
    assert api.get("/v1/calls/pbx-1001").status_code == 401
    assert api.get("/v1/calls/pbx-1001", headers={"authorization": "Bearer nope"}).status_code == 401
    with api.app.state.ctx.db.session() as s:
        _user, token = create_user(s, "riikka", "qa_reviewer")
    auth = {"authorization": f"Bearer {token}"}
    r = api.get("/v1/calls/pbx-1001", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["job"]["state"] == "queued"
    assert api.get("/v1/calls/unknown-1", headers=auth).status_code == 404
    assert api.get("/v1/calls/pbx-1001/audio", headers=auth).status_code == 404
