"""The privacy workbench through the real app on SQLite and PostgreSQL: attaching a call by hand, the erasure
preview and its confirmation token, the erased-call page (a keyed digest only), the receipt in words as PDF
and JSON, and the request form's errors in the page's language with the form kept."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.platform.config import get_settings
from service.privacy import audit
from service.store.models import Call, ErasedCall
from service.store.repo_users import create_user, set_password
from tests.service.subject_seed import AGENT_TEXT, OTHER, PEKKA, Person, seed_call
from tests.ui.clients import browser_login

PASSWORD = "oikein-pitkä-salasana-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CONFIRM = re.compile(r'name="confirm" value="([^"]+)"')
THIRD = Person(phone="+358 44 999 8888", hetu="010101-123N", email="kolmas@example.fi")
USERS = (("tsv-pekka", "privacy_officer"), ("tsv-maija", "privacy_officer"), ("qa-anna", "qa_reviewer"),
         ("admin-sari", "admin"))


@pytest.fixture
def app(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False), follow_redirects=False) as client:
        ctx = client.app.state.ctx
        headers = {}
        with ctx.db.session() as s:
            for name, role in USERS:
                _, token = create_user(s, name, role)
                set_password(s, name, PASSWORD)
                headers[name] = {"Authorization": f"Bearer {token}"}
            seed_call(s, ctx.blobs, "pbx-u1", PEKKA)
            seed_call(s, ctx.blobs, "pbx-u2", OTHER, mentions=(("phone", PEKKA.phone),))
            seed_call(s, ctx.blobs, "pbx-u3", THIRD)  # Pekka's call, but his hetu was misheard
            seed_call(s, ctx.blobs, "pbx-u4", PEKKA)
        r = client.put("/v1/calls/pbx-u4/legal-hold", json={"reason": "riita-asia 2026/117"},
                       headers=headers["admin-sari"])
        assert r.status_code == 200, r.text
        yield client, headers


def _erasure(client: TestClient, headers: dict[str, str]) -> str:
    r = client.post("/v1/subject-requests", headers=headers, json={
        "kind": "erasure", "identifiers": [{"kind": "phone", "value": PEKKA.phone}],
        "verification": {"method": "id_document", "reference": "passi, toimipiste Itäkeskus 3.12."}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_attach_preview_erase_and_the_erased_page(app) -> None:
    client, h = app
    rid = _erasure(client, h["tsv-pekka"])
    attach = {"call_id": "pbx-u3", "reason": "puheessa sanottu henkilötunnus kuultiin väärin"}
    assert client.post(f"/v1/subject-requests/{rid}/calls", json=attach, headers=h["qa-anna"]).status_code == 403
    bad = client.post(f"/v1/subject-requests/{rid}/calls", headers=h["tsv-pekka"],
                      json={**attach, "reason": f"hetu {PEKKA.hetu} kuultiin väärin"})
    assert bad.status_code == 422 and PEKKA.hetu not in bad.text
    r = client.post(f"/v1/subject-requests/{rid}/calls", json=attach, headers=h["tsv-pekka"])
    assert r.status_code == 200, r.text
    u3 = next(c for c in r.json()["calls"] if c["call_id"] == "pbx-u3")
    assert u3["match"] == "party" and u3["matched_by"] == ["manual"] and u3["attached"]["by"] == "tsv-pekka"
    with client.app.state.ctx.db.session() as s:
        assert any(e.action == "subject.attach_call" and e.detail["reason"] == attach["reason"]
                   for e in audit.recent(s, 5))

    preview = client.get(f"/v1/subject-requests/{rid}/erasure-preview", headers=h["tsv-maija"]).json()
    by_id = {c["call_id"]: c for c in preview["calls"]}
    assert by_id["pbx-u1"]["action"] == "delete" and "redacted_audio" in by_id["pbx-u1"]["delete_artefacts"]
    assert by_id["pbx-u3"]["action"] == "delete", "the attached call counts as the person's own"
    assert (by_id["pbx-u2"]["action"], by_id["pbx-u2"]["reason"]) == ("mention", "mention_only")
    assert (by_id["pbx-u4"]["action"], by_id["pbx-u4"]["reason"]) == ("keep", "legal_hold")
    assert by_id["pbx-u4"]["delete_artefacts"] == []

    done = client.post(f"/v1/subject-requests/{rid}/approve", headers=h["tsv-maija"])
    assert done.status_code == 200, done.text
    assert sorted(d["call_id"] for d in done.json()["result"]["deleted"]) == ["pbx-u1", "pbx-u3"]
    with client.app.state.ctx.db.session() as s:
        rows = list(s.scalars(select(ErasedCall)))
        assert len(rows) == 2 and all(str(r.request_id) == rid for r in rows)
        assert not any("pbx" in r.digest for r in rows), "only keyed digests, never the call id (review #11)"
        assert s.scalar(select(Call).where(Call.external_id == "pbx-u4")) is not None

    browser_login(client, "tsv-maija", PASSWORD)
    page = client.get("/ui/calls/pbx-u1")
    assert page.status_code == 410 and "poistettiin rekisteröidyn pyynnöstä" in page.text
    assert AGENT_TEXT not in page.text and f"/ui/privacy/requests/{rid}" in page.text
    en = client.get("/ui/calls/pbx-u3?lang=en")
    assert en.status_code == 410 and "was erased on the data subject" in en.text
    assert client.get("/ui/calls/pbx-never").status_code == 404, "an unknown id is still a 404"


def _pdf_text_codes(pdf: bytes) -> set[int]:
    """The Unicode code points the PDF's fonts map glyphs to (their ToUnicode CMaps): what it can show."""
    codes: set[int] = set()
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(raw)
        except zlib.error:
            data = raw
        if b"beginbfchar" in data or b"beginbfrange" in data:
            codes |= {int(x, 16) for x in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4})>", data)}
    return codes


def test_the_receipt_in_words_as_pdf_and_json(app) -> None:
    client, h = app
    rid = _erasure(client, h["tsv-pekka"])
    assert client.post(f"/v1/subject-requests/{rid}/approve", headers=h["tsv-maija"]).status_code == 200
    browser_login(client, "tsv-pekka", PASSWORD)
    page = client.get(f"/ui/privacy/requests/{rid}")
    assert "Tunnisteista poistettu tallenne" in page.text, "artefact kinds in words, not codes"
    assert "redacted_audio" not in page.text
    assert "Lakisääteinen säilytysvelvoite" in page.text and "pbx-u4" in page.text
    en = client.get(f"/ui/privacy/requests/{rid}?lang=en")
    assert "Redacted recording" in en.text and "Legal hold" in en.text

    pdf = client.get(f"/ui/privacy/requests/{rid}/receipt.pdf?lang=fi")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    if Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file():
        codes = _pdf_text_codes(pdf.content)
        assert {ord("ä"), ord("ö")} <= codes, "ä and ö are in the embedded font's text map"
    js = client.get(f"/ui/privacy/requests/{rid}/receipt.json?lang=en")
    receipt = json.loads(js.content)
    assert receipt["lang"] == "en" and receipt["codes"]["deleted"]
    deleted = next(s for s in receipt["sections"] if s["code"] == "deleted")
    assert any("Redacted recording" in line for item in deleted["items"] for line in item["lines"])
    with client.app.state.ctx.db.session() as s:
        formats = [e.detail["format"] for e in audit.recent(s, 10) if e.action == "subject.receipt"]
        assert sorted(formats) == ["json", "pdf"], "each download is audited"


def test_the_confirmation_token_is_bound_to_the_preview(app) -> None:
    client, h = app
    rid = _erasure(client, h["tsv-pekka"])
    browser_login(client, "tsv-maija", PASSWORD)
    target = f"/ui/privacy/requests/{rid}"
    page = client.get(target)
    preview = client.post(f"{target}/approve", data={"csrf": CSRF.search(page.text).group(1)})
    assert preview.status_code == 200 and "Vahvista poisto" in preview.text
    token = CONFIRM.search(preview.text).group(1)
    # A hold put on after the preview changes what would be erased: the old token no longer confirms.
    assert client.put("/v1/calls/pbx-u1/legal-hold", json={"reason": "uusi riita 2026/200"},
                      headers=h["admin-sari"]).status_code == 200
    again = client.post(f"{target}/approve", data={"csrf": CSRF.search(preview.text).group(1), "confirm": token})
    assert again.status_code == 200 and "muuttui esikatselun jälkeen" in again.text
    assert client.get("/ui/calls/pbx-u1").status_code == 200, "nothing erased"
    forged = client.post(f"{target}/approve", data={"csrf": "forged", "confirm": CONFIRM.search(again.text).group(1)})
    assert forged.status_code == 403, "the confirmation is CSRF-checked"
    ok = client.post(f"{target}/approve", data={"csrf": CSRF.search(again.text).group(1),
                                                "confirm": CONFIRM.search(again.text).group(1)})
    assert ok.status_code == 303 and ok.headers["location"].endswith("approved=1")
    assert client.get("/ui/calls/pbx-u1").status_code == 200, "kept: under legal hold since the first preview"


def test_form_errors_are_in_the_pages_language_and_keep_the_form(app) -> None:
    client, _ = app
    browser_login(client, "tsv-pekka", PASSWORD)
    token = CSRF.search(client.get("/ui/privacy").text).group(1)
    form = {"csrf": token, "kind": "rectification", "kind0": "phone", "value0": PEKKA.phone, "kind1": "hetu",
            "value1": "131052-308X", "verification_method": "strong_electronic_id",
            "verification": "Suomi.fi-tunnistus, tiketti 4411"}
    fi = client.post("/ui/privacy/requests", data=form)
    assert fi.status_code == 422 and "Tunniste 2: henkilötunnuksen tarkistusmerkki ei täsmää" in fi.text
    assert "identifiers[" not in fi.text and "check character" not in fi.text
    assert f'value="{PEKKA.phone}"' in fi.text and "Suomi.fi-tunnistus, tiketti 4411</textarea>" in fi.text
    assert '<option value="rectification" selected>' in fi.text
    assert '<option value="strong_electronic_id" selected>' in fi.text
    assert "131052-308X" not in fi.text, "the refused identifier is not shown again"
    assert fi.headers["cache-control"] == "private, no-store"
    none = client.post("/ui/privacy/requests?lang=en", data={**form, "value0": "", "value1": ""})
    assert none.status_code == 422 and "Give at least one identifier of the person." in none.text


def test_erased_call_digests_expire_with_the_tombstones(app) -> None:
    from datetime import timedelta

    from models.provenance import utcnow
    from service.privacy.retention import get_retention, sweep_records

    client, h = app
    rid = _erasure(client, h["tsv-pekka"])
    assert client.post(f"/v1/subject-requests/{rid}/approve", headers=h["tsv-maija"]).status_code == 200
    with client.app.state.ctx.db.session() as s:
        assert sweep_records(s, utcnow(), get_retention())["erased_calls"] == 0
        assert sweep_records(s, utcnow() + timedelta(days=20 * 365), get_retention())["erased_calls"] == 1
        assert list(s.scalars(select(ErasedCall))) == []
