"""Data-subject requests through the real ASGI app on real SQLite/PostgreSQL: finding, exporting, erasing,
restricting and rectifying a person's calls, and never storing or returning what identifies them."""

from __future__ import annotations

import io
import json
import uuid
import wave
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.api.app import create_app
from service.platform.config import get_settings
from service.privacy import audit
from service.privacy.export_manifest import AGENT_PLACEHOLDER, SCHEMA_ID, ExportManifest
from service.privacy.retention import set_legal_hold
from service.store.models import (
    Artefact,
    AuditEntry,
    Call,
    Entity,
    SubjectRequest,
    SubjectTerm,
    Tombstone,
    Turn,
    TurnCorrection,
)
from service.store.repo_listing import list_calls
from service.store.repo_users import create_user
from tests.service.subject_seed import AGENT_ID, AGENT_TEXT, OTHER, PEKKA, SPOKEN_EMAIL, Person, seed_call


@pytest.fixture
def api(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        yield client


def _token(api: TestClient, name: str, role: str) -> dict[str, str]:
    with api.app.state.ctx.db.session() as s:
        _user, token = create_user(s, name, role)
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def officer(api: TestClient) -> dict[str, str]:
    return _token(api, "liisa-tsv", "privacy_officer")


@pytest.fixture
def reviewer(api: TestClient) -> dict[str, str]:
    return _token(api, "qa-anna", "qa_reviewer")


def seed(api: TestClient, external_id: str, person: Person = PEKKA, **kw: Any) -> uuid.UUID:
    ctx = api.app.state.ctx
    with ctx.db.session() as s:
        return seed_call(s, ctx.blobs, external_id, person, **kw)


@pytest.fixture
def second_officer(api: TestClient) -> dict[str, str]:
    return _token(api, "matti-tsv", "privacy_officer")


def ref(reference: str, method: str = "id_document") -> dict[str, str]:
    """A structured verification: a method from the fixed list and a reference to the evidence."""
    return {"method": method, "reference": reference}


def request(api: TestClient, auth: dict[str, str], kind: str, identifiers: list[tuple[str, str]],
            verification: Any = None, **kw: Any) -> Any:
    body = {"kind": kind, "identifiers": [{"kind": k, "value": v} for k, v in identifiers],
            "verification": ref("Passi tarkistettu asiakaspalvelupisteessä") if verification is None
            else verification, **kw}
    return api.post("/v1/subject-requests", json=body, headers=auth)


def erase(api: TestClient, first: dict[str, str], second: dict[str, str], identifiers: list[tuple[str, str]]
          ) -> Any:
    """An erasure request by one officer, approved by another (nothing is erased before the approval)."""
    r = request(api, first, "erasure", identifiers)
    assert r.status_code == 201 and r.json()["status"] == "pending_approval", r.text
    return api.post(f"/v1/subject-requests/{r.json()['id']}/approve", headers=second)


def raw_values(person: Person) -> list[bytes]:
    """Every spelling of a person's identifiers that must never leave the service or be stored."""
    digits = "".join(c for c in person.phone if c.isdigit())
    national = "0" + digits[3:] if digits.startswith("358") else digits
    return [v.encode() for v in (person.phone, digits, national, person.hetu, person.email,
                                 person.email.split("@")[0])]


def assert_free_of(data: bytes, people: list[Person], extra: list[bytes] = ()) -> None:
    for needle in [*(v for p in people for v in raw_values(p)), *extra]:
        assert needle not in data, f"{needle!r} leaked"


def export(api: TestClient, auth: dict[str, str], request_id: str) -> tuple[zipfile.ZipFile, bytes, dict]:
    r = api.post(f"/v1/subject-requests/{request_id}/export", headers=auth)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert "no-store" in r.headers["cache-control"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(z.read("manifest.json"))
    return z, r.content, manifest


def validate_manifest(manifest: dict) -> None:
    ExportManifest.model_validate(manifest)
    try:
        import jsonschema
    except ImportError:
        return
    from service.privacy.export_manifest import json_schema

    jsonschema.validate(manifest, json_schema())


def db_rows(api: TestClient, model: Any, **where: Any) -> int:
    with api.app.state.ctx.db.session() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(s.scalar(q))


def actions(api: TestClient) -> list[str]:
    with api.app.state.ctx.db.session() as s:
        assert audit.verify(s).ok
        return [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


# ----------------------------------------------------------------------------------------------- finding


@pytest.mark.parametrize("ident", [("phone", "+358407651234"), ("hetu", PEKKA.hetu), ("email", PEKKA.email)])
def test_finds_the_call_by_caller_number_spoken_hetu_and_spoken_email(api, officer, ident) -> None:
    mine = seed(api, "pbx-2001", spoken_email=SPOKEN_EMAIL)
    seed(api, "pbx-2002", OTHER)
    r = request(api, officer, "access", [ident])
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["location"] == f"/v1/subject-requests/{doc['id']}"
    assert doc["kind"] == "access" and doc["status"] == "completed"
    # The caller's number is the call's own metadata (party); what was said in it is a mention (review #4).
    match = "party" if ident[0] == "phone" else "mention"
    assert doc["calls"] == [{"id": str(mine), "call_id": "pbx-2001", "matched_by": [ident[0]], "match": match}]
    assert doc["identifier_kinds"] == [ident[0]] and doc["created_by"] == "liisa-tsv"
    assert ident[1] not in r.text


def test_access_export_contains_the_call_and_nothing_identifying(api, officer) -> None:
    mine = seed(api, "pbx-3001")
    seed(api, "pbx-3002", OTHER)
    r = request(api, officer, "access", [("phone", PEKKA.phone), ("hetu", PEKKA.hetu), ("email", PEKKA.email)],
                note="Pyyntö saapui kirjeitse")
    assert r.status_code == 201, r.text
    req = r.json()
    assert [c["call_id"] for c in req["calls"]] == ["pbx-3001"]
    assert req["calls"][0]["matched_by"] == ["email", "hetu", "phone"]

    z, data, manifest = export(api, officer, req["id"])
    validate_manifest(manifest)
    assert manifest["schema"] == SCHEMA_ID
    assert manifest["request"] == {"id": req["id"], "kind": "access", "received_at": manifest["request"][
        "received_at"], "identifier_kinds": ["email", "hetu", "phone"]}
    (call,) = manifest["calls"]
    assert call["call_id"] == "pbx-3001" and call["direction"] == "inbound" and call["queue"] == "laskutus"
    assert call["started_at"] and call["received_at"] and call["duration_s"] == 42.0
    # The other party is withheld (GDPR art. 20(4)): text, agent id and audio channel.
    agent, customer = call["turns"]
    assert agent == {"turn": 0, "speaker": "agent", "start": 0.0, "end": 3.0, "text": AGENT_PLACEHOLDER,
                     "withheld": True}
    assert customer["text"].startswith("Henkilötunnukseni on [HETU]") and not customer["withheld"]
    assert {(e["type"], e["start"] is not None) for e in call["entities"]} == {("HETU", True), ("EMAIL", True)}
    assert call["classifications"][0]["label"] == "laskutus"
    assert call["classifications"][0]["provenance"] == {"model": "puheturva.call_reason", "version": "1.0"}
    assert {r["artefact"] for r in call["retention"]} == {"redacted_audio", "redacted_transcript", "entities",
                                                          "classification"}
    assert {"purpose": "laadunvarmistus", "legal_basis": "oikeutettu_etu"} in call["purposes"]
    assert {"perustiedot", "puhelutallenteet", "analyysitiedot", "teletunnistetiedot"} <= set(
        call["data_categories"])
    assert {"tekoaly", "puhelinjarjestelma", "rekisteroity"} <= set(call["sources"])
    assert call["audio"]["path"] == "calls/pbx-3001/redacted.wav" and call["audio"]["withheld_channels"] == [0]
    register = manifest["register"]
    assert {r["name"] for r in register["recipients"]} >= {"Nimetyt laadunvarmistajat", "Viranomaiset"}
    assert {b["key"] for b in register["legal_bases"]} == {"sopimus", "oikeutettu_etu", "lakisaateinen_velvoite"}
    assert any(p["key"] == "laadunvarmistus" for p in register["purposes"])
    assert manifest["controller"]["name"]

    with z.open(call["audio"]["path"]) as f, wave.open(f) as w:
        assert w.getnchannels() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    assert not pcm[:, 0].any(), "the agent's channel is silent"
    assert np.abs(pcm[:, 1]).max() > 1000, "the customer's channel is kept"

    # No identifier of anyone, nor the agent's words or id, anywhere: raw bytes and every member inflated.
    secrets = [AGENT_TEXT.encode(), AGENT_ID.encode(), b"Maija"]
    assert_free_of(data, [PEKKA, OTHER], secrets)
    for name in z.namelist():
        assert_free_of(z.read(name), [PEKKA, OTHER], secrets)
    assert sorted(z.namelist()) == ["README.txt", "calls/pbx-3001/redacted.wav", "manifest.json"]

    # The stored request holds HMAC terms, never the identifiers; the audit log names kinds and counts.
    with api.app.state.ctx.db.session() as s:
        row = s.get(SubjectRequest, uuid.UUID(req["id"]))
        stored = json.dumps([row.terms, row.matched_calls, row.result, row.verification, row.note]).encode()
        assert len(row.terms) == 3 and all(len(t["hmac"]) == 64 for t in row.terms)
        assert row.result["exports"][0]["sha256"] and row.result["exports"][0]["calls"] == 1
        trail = json.dumps([[a.action, a.object_id, a.detail] for a in s.scalars(select(AuditEntry))]).encode()
    assert_free_of(stored + trail, [PEKKA, OTHER])
    assert str(mine) in trail.decode()
    assert {"subject.request", "subject.completed", "subject.export"} <= set(actions(api))


def test_export_of_nobody_is_empty_but_valid(api, officer) -> None:
    seed(api, "pbx-3101", OTHER)
    req = request(api, officer, "access", [("email", "ei.ketaan@example.fi")]).json()
    assert req["calls"] == [] and req["result"]["calls_found"] == 0
    z, _data, manifest = export(api, officer, req["id"])
    validate_manifest(manifest)
    assert manifest["calls"] == [] and sorted(z.namelist()) == ["README.txt", "manifest.json"]


# ------------------------------------------------------------------------------------------------ erasure


def test_erasure_removes_files_and_rows_and_a_second_export_is_empty(api, officer, second_officer) -> None:
    mine = seed(api, "pbx-4001")
    other = seed(api, "pbx-4002", OTHER)
    blobs = api.app.state.ctx.blobs
    with api.app.state.ctx.db.session() as s:
        keys = list(s.scalars(select(Artefact.blob_key).where(Artefact.call_id == mine,
                                                              Artefact.blob_key.is_not(None))))
    assert keys and all(blobs.exists(k) for k in keys)

    r = erase(api, officer, second_officer, [("phone", PEKKA.phone), ("hetu", PEKKA.hetu)])
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["approved_by"] == "matti-tsv" and receipt["created_by"] == "liisa-tsv"
    assert receipt["status"] == "completed" and receipt["result"]["kept"] == []
    (gone,) = receipt["result"]["deleted"]
    assert gone["id"] == str(mine) and gone["call_id"] == "pbx-4001"
    assert gone["artefacts"] == ["classification", "entities", "redacted_audio", "redacted_transcript"]
    assert gone["blobs"] == 1
    assert gone["rows"]["turns"] == 2 and gone["rows"]["entities"] == 2 and gone["rows"]["subject_index"] == 3

    assert not any(blobs.exists(k) for k in keys), "the audio file is deleted"
    for model in (Call,):
        assert db_rows(api, model, id=mine) == 0
    for model in (Turn, Entity, Artefact, SubjectTerm):
        assert db_rows(api, model, call_id=mine) == 0
    assert db_rows(api, Tombstone, call_id=mine) >= 1
    assert db_rows(api, Call, id=other) == 1 and db_rows(api, SubjectTerm, call_id=other) == 3

    again = request(api, officer, "access", [("hetu", PEKKA.hetu), ("phone", PEKKA.phone)]).json()
    assert again["calls"] == []
    z, _data, manifest = export(api, officer, again["id"])
    assert manifest["calls"] == [] and "calls/pbx-4001/redacted.wav" not in z.namelist()
    assert {"subject.erase_call", "erasure.purge_call", "subject.completed"} <= set(actions(api))


def test_legal_hold_and_legal_obligation_survive_erasure_and_are_listed(api, officer, second_officer) -> None:
    held = seed(api, "pbx-5001")
    complaint = seed(api, "pbx-5002", reason="reklamaatio")  # kept 36 months: a legal obligation
    plain = seed(api, "pbx-5003")
    ctx = api.app.state.ctx
    with ctx.db.session() as s:
        set_legal_hold(s, held, True, actor="admin-olli", role="admin")
        held_keys = list(s.scalars(select(Artefact.blob_key).where(Artefact.call_id == held,
                                                                   Artefact.blob_key.is_not(None))))

    receipt = erase(api, officer, second_officer, [("phone", PEKKA.phone)]).json()
    assert receipt["status"] == "completed"
    assert [d["call_id"] for d in receipt["result"]["deleted"]] == ["pbx-5003"]
    kept = {k["call_id"]: k for k in receipt["result"]["kept"]}
    assert set(kept) == {"pbx-5001", "pbx-5002"}
    assert kept["pbx-5001"]["reason"] == "legal_hold" and kept["pbx-5001"]["restricted"] is True
    obligation = kept["pbx-5002"]
    assert obligation["reason"] == "legal_obligation" and obligation["policies"] == ["complaint"]
    assert obligation["legal_bases"] == ["lakisaateinen_velvoite"] and obligation["retain_until"]
    assert obligation["kept_artefacts"] == ["classification", "entities", "redacted_transcript"]
    assert obligation["deleted_artefacts"] == ["redacted_audio"]

    assert all(ctx.blobs.exists(k) for k in held_keys), "a legal hold keeps the files"
    assert db_rows(api, Call, id=plain) == 0
    assert db_rows(api, Turn, call_id=held) == 2 and db_rows(api, Turn, call_id=complaint) == 2
    assert db_rows(api, Artefact, call_id=complaint, kind="redacted_audio") == 1  # row kept as deleted
    with ctx.db.session() as s:
        audio = s.scalars(select(Artefact).where(Artefact.call_id == complaint,
                                                 Artefact.kind == "redacted_audio")).one()
        assert audio.deleted_at is not None and not ctx.blobs.exists(audio.blob_key)
        assert all(c.restricted for c in s.scalars(select(Call).where(Call.id.in_([held, complaint]))))
    # The person can still see what is kept about them.
    again = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    assert {c["call_id"] for c in again["calls"]} == {"pbx-5001", "pbx-5002"}
    assert actions(api).count("subject.erasure_kept") == 2


# ------------------------------------------------------------------------------------------- restriction


def test_restriction_hides_the_call_from_qa_and_lifting_restores_it(api, officer, reviewer) -> None:
    mine = seed(api, "pbx-6001")
    seed(api, "pbx-6002", OTHER)
    assert api.get("/v1/calls/pbx-6001", headers=reviewer).status_code == 200

    r = request(api, officer, "restriction", [("phone", PEKKA.phone)])
    assert r.status_code == 201 and r.json()["result"]["restricted"] == [{"id": str(mine), "call_id": "pbx-6001"}]
    assert api.get("/v1/calls/pbx-6001", headers=reviewer).status_code == 404
    assert api.get("/v1/calls/pbx-6001/audio", headers=reviewer).status_code == 404
    assert api.get("/v1/calls/pbx-6002", headers=reviewer).status_code == 200, "others unaffected"
    officer_view = api.get("/v1/calls/pbx-6001", headers=officer)
    assert officer_view.status_code == 200 and officer_view.json()["call"]["restricted"] is True
    with api.app.state.ctx.db.session() as s:
        assert [c.external_id for c in list_calls(s)] == ["pbx-6002"], "not in list views"

    r = request(api, officer, "lift_restriction", [("phone", PEKKA.phone)])
    assert r.status_code == 201 and r.json()["result"]["lifted"][0]["call_id"] == "pbx-6001"
    assert api.get("/v1/calls/pbx-6001", headers=reviewer).status_code == 200
    trail = actions(api)
    assert "subject.restrict" in trail and "subject.lift_restriction" in trail


# ----------------------------------------------------------------------------------------- rectification


def test_rectification_keeps_the_original_and_redacts_the_correction(api, officer, second_officer) -> None:
    mine = seed(api, "pbx-7001")
    req = request(api, officer, "rectification", [("phone", PEKKA.phone)]).json()
    assert req["status"] == "open"
    url = f"/v1/subject-requests/{req['id']}/rectifications"
    text = "Sanoin että lasku oli 45 euroa, ei 54. Sähköpostini on pekka.nieminen@example.fi."
    r = api.post(url, json={"call_id": "pbx-7001", "turn": 1, "text": text}, headers=officer)
    assert r.status_code == 201, r.text
    corr = r.json()
    assert "45 euroa" in corr["corrected_text"] and PEKKA.email not in r.text
    assert "EMAIL" in corr["redacted_types"]
    assert corr["agent"] == {"name": "liisa-tsv", "kind": "person", "role": "privacy_officer"}

    doc = api.get("/v1/calls/pbx-7001", headers=officer).json()
    assert doc["turns"][1]["text"].startswith("Henkilötunnukseni on [HETU]"), "the original turn is kept"
    (shown,) = doc["corrections"]
    assert shown["turn"] == 1 and shown["original_text"] == doc["turns"][1]["text"]
    assert shown["corrected_text"] == corr["corrected_text"]
    assert shown["provenance"]["agent"]["kind"] == "person" and shown["request_id"] == req["id"]
    after = api.get(f"/v1/subject-requests/{req['id']}", headers=officer).json()
    assert after["status"] == "completed" and after["result"]["corrections"][0]["turn"] == 1
    assert db_rows(api, TurnCorrection, call_id=mine) == 1
    assert "subject.rectify" in actions(api)

    # Refusals: a turn that does not exist, a call not in the request, a request of another kind.
    assert api.post(url, json={"call_id": "pbx-7001", "turn": 9, "text": "x"}, headers=officer).status_code == 404
    seed(api, "pbx-7002", OTHER)
    assert api.post(url, json={"call_id": "pbx-7002", "turn": 1, "text": "x"}, headers=officer).status_code == 404
    access = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    r = api.post(f"/v1/subject-requests/{access['id']}/rectifications",
                 json={"call_id": "pbx-7001", "turn": 1, "text": "x"}, headers=officer)
    assert r.status_code == 409 and r.json()["error"] == "wrong_request_kind"
    assert db_rows(api, TurnCorrection) == 1

    # Erasure takes the corrections with the call; the rectification request itself remains on record.
    erased = erase(api, officer, second_officer, [("phone", PEKKA.phone), ("hetu", PEKKA.hetu)]).json()
    assert erased["result"]["deleted"][0]["rows"]["corrections"] == 1
    assert db_rows(api, TurnCorrection) == 0 and db_rows(api, Call, id=mine) == 0
    assert api.get(f"/v1/subject-requests/{req['id']}", headers=officer).json()["status"] == "completed"


# ----------------------------------------------------------------------------------- access and validation


def test_only_privacy_officers_and_nothing_echoed(api, officer, reviewer) -> None:
    seed(api, "pbx-8001")
    admin = _token(api, "admin-olli", "admin")
    for auth in (reviewer, admin):
        assert request(api, auth, "access", [("hetu", PEKKA.hetu)]).status_code == 403
        assert api.get("/v1/subject-requests", headers=auth).status_code == 403
    assert api.get("/v1/subject-requests").status_code == 401

    bad = request(api, officer, "access", [("hetu", "131052X308T-9")])
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_identifier"
    assert "131052" not in bad.text
    quoted = request(api, officer, "erasure", [("hetu", PEKKA.hetu)],
                     verification=ref(f"Asiakas kertoi hetun {PEKKA.hetu} puhelimessa"))
    assert quoted.status_code == 422 and quoted.json()["error"] == "identifier_in_text"
    assert PEKKA.hetu not in quoted.text
    other_id = request(api, officer, "access", [("phone", PEKKA.phone)],
                       verification=ref("Tarkistettu, vaimon sähköposti liisa.korhonen@example.fi"))
    assert other_id.status_code == 422 and "EMAIL" in other_id.json()["detail"]
    national = request(api, officer, "access", [("phone", "+358407651234")],
                       verification=ref("Soitti numerosta 040-765 1234, kysytty syntymäaika"))
    assert national.status_code == 422
    wrong_kind = api.post("/v1/subject-requests", headers=officer, json={
        "kind": "forget", "identifiers": [{"kind": "hetu", "value": PEKKA.hetu}],
        "verification": ref("Passi tarkistettu")})
    assert wrong_kind.status_code == 422 and PEKKA.hetu not in wrong_kind.text
    assert db_rows(api, SubjectRequest) == 0 and db_rows(api, Call) == 1
    assert api.get(f"/v1/subject-requests/{uuid.uuid4()}", headers=officer).status_code == 404
    # A date and time in the note is not a phone number.
    ok = request(api, officer, "access", [("hetu", PEKKA.hetu)],
                 verification=ref("Tunnistettu 12.3.2025 klo 14.05", "strong_electronic_id"))
    assert ok.status_code == 201


def test_list_get_and_export_of_other_kinds(api, officer) -> None:
    seed(api, "pbx-9001")
    first = request(api, officer, "restriction", [("phone", PEKKA.phone)]).json()
    second = request(api, officer, "access", [("hetu", PEKKA.hetu)]).json()
    listing = api.get("/v1/subject-requests", headers=officer).json()
    assert [r["id"] for r in listing["requests"]] == [second["id"], first["id"]], "newest first"
    only = api.get("/v1/subject-requests?kind=restriction", headers=officer).json()["requests"]
    assert [r["id"] for r in only] == [first["id"]]
    got = api.get(f"/v1/subject-requests/{first['id']}", headers=officer)
    assert got.status_code == 200 and got.json()["result"]["restricted"][0]["call_id"] == "pbx-9001"
    assert "terms" not in got.json() and "hmac" not in got.text
    r = api.post(f"/v1/subject-requests/{first['id']}/export", headers=officer)
    assert r.status_code == 409 and r.json()["error"] == "wrong_request_kind"
    assert "subject.view" in actions(api)


# ------------------------------------------------------------- party or mention (review findings #4, #5, #16)


def _by_call(doc: dict) -> dict[str, dict]:
    return {c["call_id"]: c for c in doc["calls"]}


def test_a_number_spoken_in_another_callers_call_is_only_a_mention(api, officer) -> None:
    """Review #4: caller Y says X's number; X's access request must not hand X Y's words or voice."""
    seed(api, "pbx-x1")
    seed(api, "pbx-y1", OTHER, mentions=(("phone", PEKKA.phone),))
    req = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    calls = _by_call(req)
    assert set(calls) == {"pbx-x1", "pbx-y1"}
    assert calls["pbx-x1"]["match"] == "party" and calls["pbx-y1"]["match"] == "mention"

    z, data, manifest = export(api, officer, req["id"])
    validate_manifest(manifest)
    out = {c["call_id"]: c for c in manifest["calls"]}
    mine, theirs = out["pbx-x1"], out["pbx-y1"]
    assert mine["match"] == "party" and mine["attribution"] == "channel" and mine["turns"]
    assert theirs["match"] == "mention" and theirs["attribution"] == "none" and theirs["matched_by"] == ["phone"]
    assert theirs["turns"] == [] and theirs["entities"] == [] and theirs["classifications"] == []
    assert theirs["corrections"] == [] and theirs["processing"] == [] and theirs["channels"] == {}
    assert theirs["audio"]["path"] is None and "mention" in theirs["audio"]["note"]
    assert theirs["queue"] is None and theirs["direction"] is None and theirs["duration_s"] is None
    assert sorted(z.namelist()) == ["README.txt", "calls/pbx-x1/redacted.wav", "manifest.json"]
    assert z.read("manifest.json").count(b"Henkil\xc3\xb6tunnukseni") == 1, "only X's own words"
    assert_free_of(data, [PEKKA, OTHER])

    # Y's own request still finds the call as Y's.
    own = request(api, officer, "access", [("phone", OTHER.phone)]).json()
    assert [(c["call_id"], c["match"]) for c in own["calls"]] == [("pbx-y1", "party")]


def test_erasure_by_a_mention_keeps_the_other_callers_call(api, officer, second_officer, reviewer) -> None:
    """Review #4: X's erasure deletes X's call, never Y's call that only mentions X; the mention's index
    terms go, and the receipt says so."""
    mine = seed(api, "pbx-x2")
    theirs = seed(api, "pbx-y2", OTHER, mentions=(("phone", PEKKA.phone),))
    ctx = api.app.state.ctx
    with ctx.db.session() as s:
        their_keys = list(s.scalars(select(Artefact.blob_key).where(Artefact.call_id == theirs,
                                                                    Artefact.blob_key.is_not(None))))
    receipt = erase(api, officer, second_officer, [("phone", PEKKA.phone), ("hetu", PEKKA.hetu)]).json()
    assert receipt["status"] == "completed", receipt
    assert [d["call_id"] for d in receipt["result"]["deleted"]] == ["pbx-x2"]
    (mention,) = receipt["result"]["mentions"]
    assert mention["call_id"] == "pbx-y2" and mention["index_terms_removed"] == 1
    assert mention["call_kept"] is True and mention["turns_redacted"] is True
    assert db_rows(api, Call, id=mine) == 0
    assert db_rows(api, Call, id=theirs) == 1 and db_rows(api, Turn, call_id=theirs) == 2
    assert all(ctx.blobs.exists(k) for k in their_keys), "Y's recording is Y's"
    assert db_rows(api, SubjectTerm, call_id=theirs) == 3, "Y's own terms stay, X's mention is gone"
    assert api.get("/v1/calls/pbx-y2", headers=reviewer).status_code == 200, "not restricted either"

    again = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    assert again["calls"] == []
    own = request(api, officer, "access", [("phone", OTHER.phone)]).json()
    assert [(c["call_id"], c["match"]) for c in own["calls"]] == [("pbx-y2", "party")]


def test_restriction_and_rectification_act_only_on_the_subjects_own_calls(api, officer, reviewer) -> None:
    seed(api, "pbx-y3", OTHER, mentions=(("email", PEKKA.email),))
    r = request(api, officer, "restriction", [("email", PEKKA.email)]).json()
    assert r["result"]["restricted"] == []
    assert [m["call_id"] for m in r["result"]["mentions"]] == ["pbx-y3"]
    assert api.get("/v1/calls/pbx-y3", headers=reviewer).status_code == 200
    rect = request(api, officer, "rectification", [("email", PEKKA.email)]).json()
    r = api.post(f"/v1/subject-requests/{rect['id']}/rectifications",
                 json={"call_id": "pbx-y3", "turn": 1, "text": "Lasku oli 45 euroa."}, headers=officer)
    assert r.status_code == 404 and "mentioned" in r.json()["detail"]
    assert db_rows(api, TurnCorrection) == 0


def test_mono_call_export_withholds_the_audio_and_unattributable_turns(api, officer) -> None:
    """Review #5: on a mono recording every turn is ``unknown``; neither the agent's words nor voice go out."""
    seed(api, "pbx-m1", mono=True)
    req = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    z, data, manifest = export(api, officer, req["id"])
    validate_manifest(manifest)
    (call,) = manifest["calls"]
    assert call["match"] == "party" and call["attribution"] == "none" and "single-channel" in call["note"]
    assert all(t["withheld"] for t in call["turns"]) and len(call["turns"]) == 2
    assert all(e["start"] is None and e["end"] is None for e in call["entities"])
    assert call["audio"]["path"] is None and call["audio"]["withheld_channels"] == [0]
    assert sorted(z.namelist()) == ["README.txt", "manifest.json"]
    for blob in [data, *(z.read(n) for n in z.namelist())]:
        assert AGENT_TEXT.encode() not in blob and b"Maija" not in blob


def test_export_processing_names_no_employee(api, officer) -> None:
    """Review #5: a QA reviewer's login on a provenance row becomes "person" and the role."""
    seed(api, "pbx-r1", reviewed_by="qa-ville")
    req = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    z, data, manifest = export(api, officer, req["id"])
    validate_manifest(manifest)
    steps = {p["stage"]: p for p in manifest["calls"][0]["processing"]}
    assert steps["review:missed_identifier"]["agent"] == "person"
    assert steps["review:missed_identifier"]["agent_role"] == "qa_reviewer"
    assert steps["classify"]["agent"] == "puheturva.call_reason"
    for blob in [data, *(z.read(n) for n in z.namelist())]:
        assert b"qa-ville" not in blob


@pytest.mark.parametrize("verification", [
    "yes", "asked nicely", {"method": "id_document", "reference": "yes"},
    {"method": "asked_nicely", "reference": "Passi tarkistettu toimipisteessä"},
    {"method": "id_document"}, {"reference": "Passi tarkistettu toimipisteessä"}])
def test_weak_verification_is_refused(api, officer, verification) -> None:
    """Review #16: verification is a method from a fixed list and a reference, not any three characters."""
    seed(api, "pbx-v1")
    r = request(api, officer, "erasure", [("phone", PEKKA.phone)], verification=verification)
    assert r.status_code == 422, r.text
    assert db_rows(api, SubjectRequest) == 0 and db_rows(api, Call) == 1


def test_structured_verification_is_kept_and_its_reference_checked(api, officer) -> None:
    seed(api, "pbx-v2")
    quoted = request(api, officer, "access", [("hetu", PEKKA.hetu)], verification={
        "method": "id_document", "reference": f"Passi, hetu {PEKKA.hetu}"})
    assert quoted.status_code == 422 and quoted.json()["error"] == "identifier_in_text"
    assert PEKKA.hetu not in quoted.text
    ok = request(api, officer, "access", [("phone", PEKKA.phone)], verification={
        "method": "strong_electronic_id", "reference": "Suomi.fi-tunnistus, tapahtuma 2026-12-03 klo 10"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["verification"] == {"method": "strong_electronic_id",
                                         "reference": "Suomi.fi-tunnistus, tapahtuma 2026-12-03 klo 10"}


def test_erasure_waits_for_a_second_officer(api, officer, second_officer) -> None:
    """Review #16: an irreversible erasure runs only after a different privacy officer approves it."""
    mine = seed(api, "pbx-a1")
    r = request(api, officer, "erasure", [("phone", PEKKA.phone)])
    assert r.status_code == 201 and r.json()["status"] == "pending_approval", r.text
    url = f"/v1/subject-requests/{r.json()['id']}/approve"
    assert db_rows(api, Call, id=mine) == 1, "nothing is erased on one officer's word"
    own = api.post(url, headers=officer)
    assert own.status_code == 403 and own.json()["error"] == "same_officer"
    assert db_rows(api, Call, id=mine) == 1
    ok = api.post(url, headers=second_officer)
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
    assert ok.json()["approved_by"] == "matti-tsv" and db_rows(api, Call, id=mine) == 0
    again = api.post(url, headers=second_officer)
    assert again.status_code == 409 and again.json()["error"] == "not_pending_approval"
    access = request(api, officer, "access", [("phone", PEKKA.phone)]).json()
    assert api.post(f"/v1/subject-requests/{access['id']}/approve", headers=second_officer).status_code == 409
    assert {"subject.erasure_approved", "subject.erase_call"} <= set(actions(api))


def test_a_pending_erasure_can_be_rejected_with_a_reason(api, officer, second_officer) -> None:
    """Review #16: the second officer may find the verification wanting; the first may withdraw a mistake.
    A rejected erasure deletes nothing and can no longer be approved."""
    mine = seed(api, "pbx-a2")
    first = request(api, officer, "erasure", [("phone", PEKKA.phone)]).json()
    url = f"/v1/subject-requests/{first['id']}"
    refused = api.post(f"{url}/reject", headers=second_officer, json={"reason": f"hetu {PEKKA.hetu} ei täsmää"})
    assert refused.status_code == 422 and refused.json()["error"] == "identifier_in_text"
    rejected = api.post(f"{url}/reject", headers=second_officer, json={"reason": "henkilöllisyys ei varmistunut"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected", rejected.text
    assert rejected.json()["result"]["rejected_reason"] == "henkilöllisyys ei varmistunut"
    assert api.post(f"{url}/approve", headers=second_officer).status_code == 409
    assert api.post(f"{url}/reject", headers=officer, json={"reason": "uudelleen"}).status_code == 409
    assert db_rows(api, Call, id=mine) == 1, "a rejected erasure deletes nothing"

    withdrawn = request(api, officer, "erasure", [("phone", PEKKA.phone)]).json()  # the maker withdraws it
    r = api.post(f"/v1/subject-requests/{withdrawn['id']}/reject", headers=officer, json={"reason": "väärä henkilö"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert db_rows(api, Call, id=mine) == 1
    assert "subject.erasure_rejected" in actions(api)
