"""Legal holds by the visible call id, with a reason, through the API and the CLI (SQLite and PostgreSQL).

Review Journey 4: there was no hold in the API, and the CLI wanted an internal UUID nobody could see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli.commands import retention_app
from service.privacy import audit
from service.store.models import Call
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job
from tests.ui.clients import app_with_data

runner = CliRunner()
REASON = "riita-asia 2026/117, käräjäoikeus"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch):
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        yield client, tokens


def _call(client: TestClient, external_id: str, client_name: str = "default") -> Call:
    with client.app.state.ctx.db.session() as s:
        call = s.query(Call).filter_by(external_id=external_id, client=client_name).one()
        s.expunge(call)
        return call


def test_admin_puts_a_hold_on_by_the_visible_id_with_a_reason(api) -> None:
    client, tokens = api
    r = client.put("/v1/calls/pbx-2001/legal-hold", json={"reason": REASON}, headers=_bearer(tokens["admin-sari"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["legal_hold"] is True and body["reason"] == REASON and body["by"] == "admin-sari"
    assert body["call_id"] == "pbx-2001" and body["policy_hold"] is False
    call = _call(client, "pbx-2001")
    assert call.legal_hold and call.legal_hold_reason == REASON and call.legal_hold_by == "admin-sari"
    with client.app.state.ctx.db.session() as s:
        entry = audit.recent(s, 5)
        hold = next(e for e in entry if e.action == "retention.hold_on")
        assert hold.object_id == str(call.id) and hold.detail == {"reason": REASON} and hold.actor == "admin-sari"

    off = client.request("DELETE", "/v1/calls/pbx-2001/legal-hold", json={"reason": "riita ratkaistu 12/2026"},
                         headers=_bearer(tokens["tsv-pekka"]))
    assert off.status_code == 200, off.text
    assert off.json()["legal_hold"] is False and off.json()["reason"] is None
    assert not _call(client, "pbx-2001").legal_hold


def test_a_reviewer_is_refused_and_bad_input_gets_a_reason(api) -> None:
    client, tokens = api
    qa = client.put("/v1/calls/pbx-2001/legal-hold", json={"reason": REASON}, headers=_bearer(tokens["qa-anna"]))
    assert qa.status_code == 403
    admin = _bearer(tokens["admin-sari"])
    missing = client.put("/v1/calls/pbx-2001/legal-hold", json={}, headers=admin)
    assert missing.status_code == 422
    quoting = client.put("/v1/calls/pbx-2001/legal-hold", json={"reason": "asiakas 131052-308T riitauttaa"},
                         headers=admin)
    assert quoting.status_code == 422 and quoting.json()["error"] == "invalid_hold_reason"
    assert "131052" not in quoting.text
    assert client.put("/v1/calls/pbx-nope/legal-hold", json={"reason": REASON}, headers=admin).status_code == 404
    assert not _call(client, "pbx-2001").legal_hold, "nothing changed"


def test_lifting_the_manual_hold_keeps_a_policy_hold(api) -> None:
    """Review #17: pbx-1960's artefacts are held by their retention policy; the manual flag is separate."""
    client, tokens = api
    admin = _bearer(tokens["admin-sari"])
    r = client.request("DELETE", "/v1/calls/pbx-1960/legal-hold", json={"reason": "käsin asetettu turhaan"},
                       headers=admin)
    assert r.status_code == 200 and r.json()["legal_hold"] is False and r.json()["policy_hold"] is True
    with client.app.state.ctx.db.session() as s:
        call = s.query(Call).filter_by(external_id="pbx-1960").one()
        assert all(a.legal_hold for a in call.artefacts if a.deleted_at is None)


def test_an_id_used_by_two_clients_needs_the_client(api) -> None:
    client, tokens = api
    with client.app.state.ctx.db.session() as s:
        create_call_with_job(s, client="toinen", external_id="pbx-2001", audio_sha256="b" * 64,
                             meta=CallMeta(started_at=None, direction="inbound", queue=None, agent_id=None,
                                           channels={}, duration_s=1.0))
    admin = _bearer(tokens["admin-sari"])
    assert client.put("/v1/calls/pbx-2001/legal-hold", json={"reason": REASON}, headers=admin).status_code == 409
    r = client.put("/v1/calls/pbx-2001/legal-hold?client=toinen", json={"reason": REASON}, headers=admin)
    assert r.status_code == 200 and r.json()["client"] == "toinen"
    assert _call(client, "pbx-2001", "toinen").legal_hold and not _call(client, "pbx-2001").legal_hold


def test_cli_hold_takes_the_visible_id_and_a_reason(api, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = api
    res = runner.invoke(retention_app, ["hold", "pbx-1990", "--on", "--reason", REASON])
    assert res.exit_code == 0, res.output
    assert "legal hold on for call pbx-1990" in res.output
    call = _call(client, "pbx-1990")
    assert call.legal_hold and call.legal_hold_reason == REASON and call.legal_hold_by.startswith("cli")
    res = runner.invoke(retention_app, ["hold", "pbx-1990", "--off"])
    assert res.exit_code != 0, "the reason is required"
    res = runner.invoke(retention_app, ["hold", "pbx-1990", "--off", "--reason", "ok"])
    assert res.exit_code == 1 and "reason" in res.output
    res = runner.invoke(retention_app, ["hold", "pbx-1990", "--off", "--reason", "riita ratkaistu"])
    assert res.exit_code == 0 and not _call(client, "pbx-1990").legal_hold
    res = runner.invoke(retention_app, ["hold", "pbx-nope", "--on", "--reason", REASON])
    assert res.exit_code == 1 and "no such call" in res.output
