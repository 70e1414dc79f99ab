"""``GET /metrics``: webhook answers by status, jobs by state from the database, and after a processed call
its stage durations, audio seconds, real-time factor and entity counts — never an identifier."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.models import Call, Job

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))
META = {"call_id": "pbx-metrics-1", "direction": "inbound", "caller": "+358 40 765 4321", "queue": "laskutus",
        "agent_id": "a-9"}


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    res = client.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(res.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _client(db_url: str, monkeypatch: pytest.MonkeyPatch, *, workers: bool) -> TestClient:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return TestClient(create_app(get_settings(), workers=workers))


@pytest.fixture
def app_client(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """HTTP only (no worker threads), on SQLite and PostgreSQL."""
    with _client(db_url, monkeypatch, workers=False) as client:
        yield client


@pytest.fixture
def worker_client(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The embedded default with one worker thread (SQLite only: one ASR run is enough)."""
    with _client(f"sqlite:///{isolated_settings / 'puheturva.db'}", monkeypatch, workers=True) as client:
        yield client


def test_webhook_statuses_and_job_states(app_client: TestClient) -> None:
    before = scrape(app_client)
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "phone.wav").read_bytes())
    bad = dict(req.headers, **{"webhook-signature": "v1,AAAA"})
    assert app_client.post("/v1/calls", content=req.body, headers=bad).status_code == 401
    assert app_client.post("/v1/calls", content=req.body, headers=req.headers).status_code == 202
    after = scrape(app_client)
    for status in ("401", "202"):
        delta = (value(after, "puheturva_webhook_requests_total", status=status)
                 - value(before, "puheturva_webhook_requests_total", status=status))
        assert delta == 1, status
    assert value(after, "puheturva_jobs", state="queued") == 1  # workers=False: nobody takes it
    assert value(after, "puheturva_jobs", state="done") == 0
    assert value(after, "puheturva_database_up") == 1
    assert app_client.get("/metrics").text.count("# TYPE puheturva_jobs gauge") == 1


@pytest.mark.slow
def test_processed_call_is_counted_without_identifiers(worker_client: TestClient) -> None:
    app_client = worker_client
    before = scrape(app_client)
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "phone.wav").read_bytes())
    assert app_client.post("/v1/calls", content=req.body, headers=req.headers).status_code == 202
    db = app_client.app.state.ctx.db
    deadline = time.monotonic() + 300
    while True:
        with db.session() as s:
            job = s.query(Job).one()
            call = s.query(Call).one()
            state, call_uuid = job.state, str(call.id)
        if state == "done":
            break
        assert state not in ("failed", "dead") and time.monotonic() < deadline, state
        time.sleep(0.5)
    text = app_client.get("/metrics").text
    after = scrape(app_client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "puheturva_jobs", state="done") == 1
    assert delta("puheturva_jobs_finished_total", outcome="done") == 1
    audio_s = delta("puheturva_audio_processed_seconds_total")
    assert audio_s == pytest.approx(GOLD["phone.wav"]["duration"], 0.01)
    for stage in ("transcribe", "detect_and_redact_text", "redact_audio", "classify"):
        assert delta("puheturva_stage_duration_seconds_count", stage=stage) == 1, stage
    assert delta("puheturva_real_time_factor_count") == 1
    assert delta("puheturva_real_time_factor_sum") > 0
    assert delta("puheturva_entities_redacted_total", type="PHONE") >= 1
    for secret in [META["call_id"], META["caller"], "765 4321", "0407654321", call_uuid,
                   GOLD["phone.wav"]["identifiers"][0]["value"]]:
        assert secret not in text
