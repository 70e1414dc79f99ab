"""Review finding #13: one telephony client must not be able to hide another client's call by reusing its id.

Calls are unique per (client, call id). Before the fix the read path looked a call up by the id alone and
answered 404 to everyone once two clients had used it: a second PBX made a tenant's calls unreachable, for
review and legal work alike. Now a reader names the client (``?client=``) or gets 409 with the candidates.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.repo_users import create_user
from tests.ui.clients import add_users, browser_login, new_client

DATA = Path(__file__).resolve().parents[1] / "data"
WAV = (DATA / "clean.wav").read_bytes()
PBX2_SECRET = "whsec_" + base64.b64encode(b"second-pbx-secret-of-32-bytes!!!").decode()
META = {"call_id": "pbx-100", "caller": "040 765 1234", "channels": {"0": "customer"}}


@pytest.fixture
def api(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    clients = isolated_settings.parent / "clients.yaml"
    clients.write_text(f"- name: pbx2\n  secret: {PBX2_SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", str(clients))
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        yield client


def _post(api: TestClient, secret: str, meta: dict[str, object]) -> dict[str, str]:
    req = signed_call(secret, meta, WAV)
    r = api.post("/v1/calls", content=req.body, headers=req.headers)
    assert r.status_code == 202, r.text
    assert r.headers["location"] == r.json()["status_url"]
    return r.json()


def _reader(api: TestClient, role: str = "qa_reviewer") -> dict[str, str]:
    with api.app.state.ctx.db.session() as s:
        created = create_user(s, f"reader-{role}", role)
        s.commit()
    return {"authorization": f"Bearer {created[1]}"}


def test_a_second_client_reusing_a_call_id_does_not_hide_the_first(api: TestClient) -> None:
    first = _post(api, DEV_WEBHOOK_SECRET, META)
    auth = _reader(api)
    assert api.get(first["status_url"], headers=auth).status_code == 200

    second = _post(api, PBX2_SECRET, META)  # the attack: another PBX posts the same call id
    assert second["status_url"] == "/v1/calls/pbx-100?client=pbx2", "a non-default client's URL names it"

    plain = api.get("/v1/calls/pbx-100", headers=auth)
    assert plain.status_code == 409 and plain.json()["error"] == "ambiguous_call_id", plain.text
    assert "default" in plain.json()["detail"] and "pbx2" in plain.json()["detail"]
    for url, client in ((first["status_url"] + "?client=default", "default"), (second["status_url"], "pbx2")):
        r = api.get(url, headers=auth)
        assert r.status_code == 200, (url, r.text)
        assert r.json()["call"]["client"] == client
    assert api.get("/v1/calls/pbx-100/audio?client=default", headers=auth).status_code == 404  # not processed
    assert api.get("/v1/calls/pbx-100?client=nobody", headers=auth).status_code == 404


def test_the_ui_links_and_pages_name_the_client(api: TestClient) -> None:
    _post(api, DEV_WEBHOOK_SECRET, META)
    _post(api, PBX2_SECRET, META)
    add_users(api.app.state.ctx.db)
    browser = new_client(api)
    assert browser_login(browser, "qa-anna").status_code == 303
    listing = browser.get("/ui/calls")
    assert listing.status_code == 200
    assert 'href="/ui/calls/pbx-100?client=default"' in listing.text
    assert 'href="/ui/calls/pbx-100?client=pbx2"' in listing.text
    page = browser.get("/ui/calls/pbx-100?client=pbx2")
    assert page.status_code == 200
    assert browser.get("/ui/calls/pbx-100").status_code == 409
