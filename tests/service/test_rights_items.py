"""Requests said in a call become tracked, verifiable items (issue 14), end to end on SQLite and PostgreSQL.

A scripted call runs through the real pipeline stages (no ASR) with the real rights detector: the customer
asks what is stored about them and refuses telemarketing. The items are queued with their evidence, confirmed
or rejected through the real HTTP API, audited, sent to the client's CRM in signed callbacks received by a
real local HTTP server, listed by ``GET /v1/marketing-choices?since=``, and swept by their retention.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook

from models.rights_requests import RightsDetector
from service.api.app import create_app
from service.calls.callbacks import notify_completion
from service.jobs.persist import RunningJob, store_results
from service.pipeline import ProcessResult, Stage
from service.platform.config import get_settings
from service.privacy import subject_index
from service.privacy.retention import get_retention, sweep, sweep_records
from service.store.kinds import JobState
from service.store.models import Artefact, AuditEntry, Classification, MarketingChoice, RightsItem
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job
from service.store.repo_jobs import claim_next_job
from service.store.repo_users import create_user
from tests.service.fake_pipeline import fake_pipeline, stereo_audio
from tests.service.test_callbacks import _Recorder, receiver  # noqa: F401 - the local callback receiver fixture

SECRET = "whsec_" + base64.b64encode(b"r" * 32).decode()
CALLER = "040 765 1234"


def _words(text: str, start: float) -> list[tuple[str, float, float]]:
    return [(w, round(start + 0.3 * i, 2), round(start + 0.3 * i + 0.25, 2)) for i, w in enumerate(text.split())]


def _seg(text: str, start: float) -> tuple[float, float, list[tuple[str, float, float]]]:
    words = _words(text, start)
    return (start, words[-1][2], words)


# The agent offers to delete data (an agent's words are never a request); the customer makes two requests.
SCRIPT = {
    0: [_seg("hei miten voin auttaa", 0.2), _seg("selvä voin poistaa tiedot jos haluatte", 6.0)],
    1: [_seg("haluaisin tietää mitä tietoja minusta on tallennettu", 2.0),
        _seg("ja en halua enää puhelinmyyntiä", 9.0)],
}


@pytest.fixture(scope="module")
def detector() -> RightsDetector:
    return RightsDetector.from_default()


@pytest.fixture(scope="module")
def staged(detector: RightsDetector) -> tuple[ProcessResult, list[Stage]]:
    stages: list[Stage] = []
    result = fake_pipeline(script=SCRIPT, rights_detector=detector).process(stereo_audio(), on_stage=stages.append)
    return result, stages


def test_the_stage_reads_the_redacted_customer_turns_and_keeps_evidence(
        staged: tuple[ProcessResult, list[Stage]], detector: RightsDetector) -> None:
    result, stages = staged
    assert stages[-2:] == [Stage.CLASSIFYING, Stage.DETECTING_RIGHTS]
    assert [(t.speaker, t.index) for t in result.turns] == [("agent", 0), ("customer", 1), ("agent", 2),
                                                             ("customer", 3)]
    assert [(i.kind, i.channel, i.turn) for i in result.rights_items] == [
        ("access", None, 1), ("marketing_prohibition", "phone", 3)]  # nothing from the agent's "poistaa tiedot"
    access, prohibition = result.rights_items
    customer = result.turns[1]
    assert customer.start <= access.start < access.end <= customer.end and access.cues
    assert result.turns[3].start <= prohibition.start < prohibition.end <= result.turns[3].end
    activity = result.provenance[-1]
    assert activity.stage == "detect_rights" and activity.agent == detector.model_info
    assert activity.used["redacted_transcript"].startswith("hmac-sha256:") or activity.used["redacted_transcript"]
    assert result.transcript_json()["rights_items"][1]["kind"] == "marketing_prohibition"


def test_the_stage_can_be_switched_off() -> None:
    stages: list[Stage] = []
    result = fake_pipeline(script=SCRIPT).process(stereo_audio(), on_stage=stages.append)
    assert Stage.DETECTING_RIGHTS not in stages and result.rights_items == ()
    assert "detect_rights" not in [a.stage for a in result.provenance]


# ------------------------------------------------------------------------------------------ through HTTP


@pytest.fixture
def api(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        receiver: str) -> Iterator[TestClient]:  # noqa: F811 - the imported fixture
    clients = tmp_path / "clients.yaml"
    clients.write_text(f"- name: pbx2\n  secret: {SECRET}\n  callback_url: {receiver}\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", str(clients))
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        yield client


def _token(api: TestClient, name: str, role: str) -> dict[str, str]:
    with api.app.state.ctx.db.session() as s:
        _user, token = create_user(s, name, role)
    return {"authorization": f"Bearer {token}"}


def process_call(api: TestClient, result: ProcessResult, external_id: str = "rq-1") -> uuid.UUID:
    """A call from ``CALLER`` (its metadata: a party term), processed to ``result`` by the job's own store step."""
    ctx = api.app.state.ctx
    with ctx.db.session() as s:
        call = create_call_with_job(s, client="pbx2", external_id=external_id, audio_sha256="e" * 64,
                                    meta=CallMeta()).call
        subject_index.add(s, call.id, "phone", CALLER, role=subject_index.PARTY)
        s.commit()
        job = claim_next_job(s, "w1")
        assert job is not None
        call_id, job_id = call.id, job.id
    store_results(ctx, RunningJob(job_id, "w1", call_id, JobState.CLASSIFYING), result)
    return call_id


def _actions(api: TestClient, prefix: str) -> list[AuditEntry]:
    with api.app.state.ctx.db.session() as s:
        return [a for a in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)) if a.action.startswith(prefix)]


VERIFIED = {"verification": {"method": "known_contact_callback", "reference": "soitto takaisin tiketti 4411"}}


def test_items_are_queued_confirmed_audited_and_sent_to_the_crm(
        api: TestClient, staged: tuple[ProcessResult, list[Stage]]) -> None:
    officer = _token(api, "liisa-tsv", "privacy_officer")
    call_id = process_call(api, staged[0])
    assert [a.detail["items"] for a in _actions(api, "rights.items_found")] == [2]
    with api.app.state.ctx.db.session() as s:
        labels = s.scalars(select(Classification.label).where(Classification.kind == "rights_request")).all()
        assert sorted(labels) == ["access", "marketing_prohibition:phone"]
        art = s.scalars(select(Artefact).where(Artefact.call_id == call_id, Artefact.kind == "rights_items")).one()
        assert (art.policy, art.data_category, art.source) == ("rights_items", "rekisteroidyn_pyynnot",
                                                                "rekisteroity")

    reviewer = _token(api, "qa-anna", "qa_reviewer")
    assert api.get("/v1/privacy/items", headers=reviewer).status_code == 403
    r = api.get("/v1/privacy/items", headers=officer)
    assert r.status_code == 200, r.text
    access, prohibition = r.json()["items"]
    assert (access["kind"], access["call_id"], access["status"]) == ("access", "rq-1", "pending")
    assert access["evidence"]["turn"] == 1 and access["evidence"]["cues"] and access["evidence"]["end"] > 0
    assert (prohibition["kind"], prohibition["channel"]) == ("marketing_prohibition", "phone")
    assert CALLER not in r.text

    # A rights request needs the verification every subject request needs; then it opens one.
    bad = api.post(f"/v1/privacy/items/{access['id']}/confirm", json={}, headers=officer)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_verification", bad.text
    ok = api.post(f"/v1/privacy/items/{access['id']}/confirm", json=VERIFIED, headers=officer)
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "confirmed" and ok.json()["subject_request"]
    request_id = ok.json()["subject_request"]
    req = api.get(f"/v1/subject-requests/{request_id}", headers=officer).json()
    assert req["kind"] == "access" and req["identifier_kinds"] == ["phone"]
    assert [c["call_id"] for c in req["calls"]] == ["rq-1"] and req["calls"][0]["match"] == "party"
    export = api.post(f"/v1/subject-requests/{request_id}/export", headers=officer)
    assert export.status_code == 200, export.text
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("manifest.json"))
    assert "haluaisin tietää" in json.dumps(manifest, ensure_ascii=False)
    again = api.post(f"/v1/privacy/items/{access['id']}/confirm", json=VERIFIED, headers=officer)
    assert again.status_code == 409 and again.json()["error"] == "item_decided"

    # A marketing prohibition becomes a verified register entry, and the client hears of it, signed.
    before = datetime.now(UTC) - timedelta(seconds=5)
    ok = api.post(f"/v1/privacy/items/{prohibition['id']}/confirm", json={}, headers=officer)
    assert ok.status_code == 200 and ok.json()["marketing_choice"], ok.text
    (body, headers), = _Recorder.received
    event = Webhook(SECRET).verify(body, headers)
    choice = event["marketing_choice"]
    assert event["type"] == "marketing_choice.verified"
    assert (choice["choice"], choice["channel"], choice["status"], choice["call_id"], choice["client"]) == (
        "prohibit", "phone", "verified", "rq-1", "pbx2")
    assert choice["terms"] == [{"kind": "phone", "hmac": subject_index.index_terms("phone", CALLER)}]
    assert CALLER.replace(" ", "") not in body.decode().replace(" ", "")

    assert notify_completion(api.app.state.ctx, call_id) is True
    done = Webhook(SECRET).verify(*_Recorder.received[-1])
    assert done["type"] == "call.processed" and [c["choice"] for c in done["marketing_choices"]] == ["prohibit"]

    admin = _token(api, "admin-olli", "admin")
    since = before.isoformat()
    listed = api.get("/v1/marketing-choices", params={"since": since}, headers=admin)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["choices"]] == [choice["id"]]
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert api.get("/v1/marketing-choices", params={"since": later}, headers=admin).json()["choices"] == []
    assert api.get("/v1/marketing-choices", params={"since": since}, headers=reviewer).status_code == 403
    assert api.get("/v1/marketing-choices", params={"since": "2026-01-01T00:00:00"},
                   headers=admin).status_code == 422  # a time without a zone is ambiguous

    decided = [(a.action, a.actor, a.detail["kind"]) for a in _actions(api, "rights.item_")]
    assert decided == [("rights.item_confirmed", "liisa-tsv", "access"),
                       ("rights.item_confirmed", "liisa-tsv", "marketing_prohibition")]
    assert any(a.detail.get("rights_item") == access["id"] for a in _actions(api, "subject.request"))


def test_reject_needs_a_reason_and_a_rerun_keeps_decisions(
        api: TestClient, staged: tuple[ProcessResult, list[Stage]]) -> None:
    officer = _token(api, "liisa-tsv", "privacy_officer")
    process_call(api, staged[0], "rq-2")
    access, prohibition = api.get("/v1/privacy/items", headers=officer).json()["items"]
    assert api.post(f"/v1/privacy/items/{access['id']}/reject", json={"reason": ""},
                    headers=officer).status_code == 422
    r = api.post(f"/v1/privacy/items/{access['id']}/reject", json={"reason": "asiakas kysyi toisen puolesta"},
                 headers=officer)
    assert r.status_code == 200 and (r.json()["status"], r.json()["decided_by"]) == ("rejected", "liisa-tsv")
    assert [a.action for a in _actions(api, "rights.item_")] == ["rights.item_rejected"]
    assert [i["id"] for i in api.get("/v1/privacy/items", headers=officer).json()["items"]] == [prohibition["id"]]

    # The job runs again (a retry after a crash): the pending item is replaced, the decided one stays decided.
    ctx = api.app.state.ctx
    with ctx.db.session() as s:
        call_id, job_id = s.scalars(select(RightsItem.call_id)).first(), None
        from service.store.models import Job
        job_id = s.scalars(select(Job.id).where(Job.call_id == call_id)).one()
        s.get(Job, job_id).state, s.get(Job, job_id).locked_by = JobState.CLASSIFYING.value, "w1"
        s.commit()
    store_results(ctx, RunningJob(job_id, "w1", call_id, JobState.CLASSIFYING), staged[0])
    with ctx.db.session() as s:
        rows = sorted((i.kind, i.status) for i in s.scalars(select(RightsItem)))
    assert rows == [("access", "rejected"), ("marketing_prohibition", "pending")]


def test_items_and_choices_go_with_their_retention(
        api: TestClient, staged: tuple[ProcessResult, list[Stage]]) -> None:
    officer = _token(api, "liisa-tsv", "privacy_officer")
    call_id = process_call(api, staged[0], "rq-3")
    prohibition = api.get("/v1/privacy/items", headers=officer).json()["items"][1]
    assert api.post(f"/v1/privacy/items/{prohibition['id']}/confirm", json={}, headers=officer).status_code == 200
    ctx = api.app.state.ctx
    now = datetime.now(UTC)
    with ctx.db.session() as s:
        sweep(s, ctx.blobs, now=now + timedelta(days=200))  # before the 12 months of rights_items
        assert s.scalars(select(RightsItem).where(RightsItem.call_id == call_id)).all()
        sweep(s, ctx.blobs, now=now + timedelta(days=380))
        assert s.scalars(select(RightsItem)).all() == []
        assert s.scalars(select(Classification).where(Classification.kind == "rights_request")).all() == []
        # The verified prohibition is a register entry: it outlives the call's items, not its own 5 years.
        assert len(s.scalars(select(MarketingChoice)).all()) == 1
        assert sweep_records(s, now + timedelta(days=4 * 365), get_retention())["marketing_choices"] == 0
        assert sweep_records(s, now + timedelta(days=5 * 366), get_retention())["marketing_choices"] == 1
        s.commit()


def test_a_result_without_items_queues_nothing(api: TestClient) -> None:
    officer = _token(api, "liisa-tsv", "privacy_officer")
    plain = fake_pipeline().process(stereo_audio())
    process_call(api, dataclasses.replace(plain, rights_items=()), "rq-4")
    assert api.get("/v1/privacy/items", headers=officer).json()["items"] == []
    assert _actions(api, "rights.items_found") == []




def test_the_cli_lists_confirms_and_rejects(api: TestClient, staged: tuple[ProcessResult, list[Stage]]) -> None:
    from typer.testing import CliRunner

    from service.cli import app
    from service.cli.commands.database import cli_actor

    runner = CliRunner()
    process_call(api, staged[0], "rq-5")
    listed = runner.invoke(app, ["items", "list"])
    assert listed.exit_code == 0, listed.output
    access, prohibition = (json.loads(line) for line in listed.stdout.splitlines())
    assert (access["kind"], prohibition["kind"]) == ("access", "marketing_prohibition")
    no_reason = runner.invoke(app, ["items", "reject", str(access["id"]), "--reason", " "])
    assert no_reason.exit_code == 2 and "reason_required" in no_reason.stderr
    rejected = runner.invoke(app, ["items", "reject", str(access["id"]), "--reason", "ei pyyntö vaan kysymys"])
    assert rejected.exit_code == 0 and json.loads(rejected.stdout)["status"] == "rejected"
    confirmed = runner.invoke(app, ["items", "confirm", str(prohibition["id"])])
    assert confirmed.exit_code == 0, confirmed.output
    assert json.loads(confirmed.stdout)["marketing_choice"]
    (body, headers), = _Recorder.received
    assert Webhook(SECRET).verify(body, headers)["marketing_choice"]["verified_by"] == cli_actor()
    assert runner.invoke(app, ["items", "list"]).stdout == ""
    assert [a.actor for a in _actions(api, "rights.item_")] == [cli_actor(), cli_actor()]


def test_marketing_choices_page_in_verification_order(api: TestClient) -> None:
    """Three choices verified at the same moment and one later: pages of two never skip or repeat one."""
    admin = _token(api, "admin-olli", "admin")
    officer = _token(api, "liisa-tsv", "privacy_officer")
    at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    with api.app.state.ctx.db.session() as s:
        for n, when in enumerate([at, at, at, at + timedelta(hours=1)]):
            s.add(MarketingChoice(channel="email", choice="consent", status="verified", source="rekisteroity",
                                  client="pbx2", external_id=f"mc-{n}", terms=[], verified_by="liisa-tsv",
                                  verified_at=when))
        s.add(MarketingChoice(channel=None, choice="prohibit", status="withdrawn", source="rekisteroity",
                              client="pbx2", external_id="mc-old", terms=[], verified_by="liisa-tsv",
                              verified_at=at))
        s.commit()
    seen: list[str] = []
    after = 0
    while True:
        page = api.get("/v1/marketing-choices", params={"since": at.isoformat(), "limit": 2, "after": after},
                       headers=admin).json()
        seen += [c["call_id"] for c in page["choices"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == ["mc-0", "mc-1", "mc-2", "mc-3"]  # verified only, oldest first, each once
    later = (at + timedelta(minutes=30)).isoformat()
    assert [c["call_id"] for c in api.get("/v1/marketing-choices", params={"since": later},
                                          headers=admin).json()["choices"]] == ["mc-3"]
    assert api.get("/v1/privacy/items", params={"status": "all"}, headers=officer).json()["items"] == []
