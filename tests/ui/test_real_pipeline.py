"""The UI on what the real pipeline stores (not the seeded shape): a stereo call through the webhook and the
real models, then its page, and a missed identifier reported on one of its real turns. Slow (~1 min)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.calls.review import read_pcm16_wav
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.models import Artefact, Turn
from tests.ui.clients import add_users, browser_login, new_client, page_csrf

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[1] / "data"
META = {"call_id": "pbx-real-1", "direction": "inbound", "queue": "tekninen", "agent_id": "a-3",
        "channels": {"0": "agent", "1": "customer"}}


@pytest.fixture
def served(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings()), follow_redirects=False) as client:
        yield client


def test_a_processed_call_renders_and_takes_a_report(served: TestClient) -> None:
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "call_stereo.wav").read_bytes())
    assert served.post("/v1/calls", content=req.body, headers=req.headers).status_code == 202
    add_users(served.app.state.ctx.db)
    browser = new_client(served)
    assert browser_login(browser, "qa-anna").status_code == 303
    deadline = time.monotonic() + 600
    while "status-done" not in (page := browser.get("/ui/calls/pbx-real-1")).text:
        assert "status-failed" not in page.text and time.monotonic() < deadline
        time.sleep(2)

    chips = re.findall(r'class="chip chip-(\w+)[^"]*" data-s="(\d+)" data-e="(\d+)"', page.text)
    assert {"HETU", "PHONE"} <= {c[0] for c in chips}
    assert 'class="redacted"' in page.text and "<audio" in page.text

    with served.app.state.ctx.db.session() as s:
        turns = list(s.scalars(select(Turn).order_by(Turn.idx)))
        key = s.scalars(select(Artefact.blob_key).where(Artefact.kind == "redacted_audio")).one()
    target = next(t for t in turns if t.speaker == "agent" and t.words and not any(
        w.get("redacted") for w in t.words))
    first = target.words[0]
    before = read_pcm16_wav(served.app.state.ctx.blobs.get(key))[0]
    body = {"turn": target.idx, "start": first["char_start"], "end": first["char_end"], "type": "PERSON"}
    r = browser.post("/ui/calls/pbx-real-1/report", json=body, headers={"x-csrf-token": page_csrf(browser)})
    assert r.status_code == 200, r.text
    after = read_pcm16_wav(served.app.state.ctx.blobs.get(key))[0]
    assert before.shape == after.shape and not (before == after).all()
    page = browser.get("/ui/calls/pbx-real-1")
    assert page.text.count("chip-human") >= 2  # the chip in the turn and in the side list
