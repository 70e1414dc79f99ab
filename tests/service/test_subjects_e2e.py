"""A data-subject request against a call that really went through the product: signed webhook, embedded
worker, real ASR and redaction. ``subject_call.wav`` (scripts/make_fixtures.sh): a customer says a
henkilötunnus and then an e-mail address. Whether Whisper base reads the HETU back exactly depends on the CPU
(int8 kernels differ: an AVX2-only machine hears "… kaksi, kaksi, haa …"), so the test asks the same model
what it hears first and asserts what must follow either way: a HETU heard exactly is indexed and finds the
call; a HETU heard wrong is redacted but finds nothing (indexing a wrong identity would be worse). The e-mail
is only ever heard well enough to redact it (its lookup is covered by the seeded tests in
``test_subjects.py``)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.repo_users import create_user

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[1] / "data"
SPOKEN_HETU = "130212A4321"
SPOKEN_EMAIL = "pekka.nieminen@example.fi"
CALLER = "+358 40 555 0199"
META = {"call_id": "pbx-subject-1", "direction": "inbound", "caller": CALLER, "queue": "laskutus",
        "agent_id": "agent-4471", "channels": {"0": "customer"}}


@pytest.fixture
def served(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        yield client


def _ask(api: TestClient, auth: dict[str, str], kind: str, ident: tuple[str, str]) -> dict:
    r = api.post("/v1/subject-requests", headers=auth, json={
        "kind": kind, "identifiers": [{"kind": ident[0], "value": ident[1]}],
        "verification": {"method": "strong_electronic_id", "reference": "Suomi.fi-tunnistus 3.12.2026"}})
    assert r.status_code == 201, r.text
    return r.json()


def _hetu_heard_exactly(asr) -> bool:
    """What this CPU's ASR makes of the spoken HETU, read through the product's own number normaliser."""
    from models.audio import decode
    from redaction import normalise

    audio = decode(DATA / "subject_call.wav")
    text = " ".join(seg.text for seg in asr.transcribe(audio.channels[0])[0])
    return SPOKEN_HETU in "".join(normalise(text, after_cues=[0]).text.split()).upper()


def test_a_processed_call_is_found_exported_and_erased(served: TestClient, asr) -> None:
    heard = _hetu_heard_exactly(asr)
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "subject_call.wav").read_bytes())
    assert served.post("/v1/calls", content=req.body, headers=req.headers).status_code == 202
    with served.app.state.ctx.db.session() as s:
        _user, token = create_user(s, "tsv-liisa", "privacy_officer")
        _user, second = create_user(s, "tsv-matti", "privacy_officer")
    auth = {"authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 600
    while (doc := served.get("/v1/calls/pbx-subject-1", headers=auth).json())["status"] != "done":
        assert doc["status"] != "failed" and time.monotonic() < deadline, doc["job"]
        time.sleep(1)
    assert {"HETU", "EMAIL"} <= {e["type"] for e in doc["entities"]}

    by_caller = _ask(served, auth, "access", ("phone", "040 555 0199"))
    by_hetu = _ask(served, auth, "access", ("hetu", SPOKEN_HETU))
    assert [(c["call_id"], c["match"]) for c in by_caller["calls"]] == [("pbx-subject-1", "party")]
    if heard:  # spoken, so only a mention: the caller's number (metadata) is what makes it the caller's call
        assert by_hetu["calls"] == [{**by_caller["calls"][0], "matched_by": ["hetu"], "match": "mention"}]
    else:
        assert by_hetu["calls"] == [], "a HETU the ASR misheard must not be indexed as this one"

    r = served.post(f"/v1/subject-requests/{by_caller['id']}/export", headers=auth)
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.content))
    (call,) = json.loads(z.read("manifest.json"))["calls"]
    assert call["call_id"] == "pbx-subject-1" and "[HETU]" in call["turns"][0]["text"]
    assert z.read(call["audio"]["path"])[:4] == b"RIFF"
    for blob in [r.content, *(z.read(n) for n in z.namelist())]:
        for raw in (SPOKEN_HETU, SPOKEN_EMAIL, "0405550199", "405550199", "agent-4471"):
            assert raw.encode() not in blob

    pending = _ask(served, auth, "erasure", ("phone", "040 555 0199"))
    assert pending["status"] == "pending_approval"
    r = served.post(f"/v1/subject-requests/{pending['id']}/approve",
                    headers={"authorization": f"Bearer {second}"})
    erased = r.json()
    assert r.status_code == 200 and erased["status"] == "completed"
    assert [d["call_id"] for d in erased["result"]["deleted"]] == ["pbx-subject-1"]
    blob_dir = get_settings().blob_dir
    assert not [p for p in blob_dir.rglob("*") if p.is_file()], "no file of the call is left"
    assert served.get("/v1/calls/pbx-subject-1", headers=auth).status_code == 404
    assert _ask(served, auth, "access", ("phone", CALLER))["calls"] == []
