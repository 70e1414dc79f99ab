"""Completion callbacks reach a real HTTP server on loopback, signed with the client's own secret."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from standardwebhooks import Webhook

from service.calls.callbacks import notify_completion
from service.jobs.context import context_from_settings
from service.platform.config import get_settings
from service.platform.signing import CALLBACK_ID_PREFIX
from service.store.kinds import CallStatus
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job, set_call_status

SECRET = "whsec_" + base64.b64encode(b"p" * 32).decode()


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Recorder.received.append((body, dict(self.headers.items())))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    _Recorder.received = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/done"
    server.shutdown()


def test_callback_is_signed_and_carries_no_personal_data(
        isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, receiver: str) -> None:
    clients = tmp_path / "clients.yaml"
    clients.write_text(f"- name: pbx2\n  secret: {SECRET}\n  callback_url: {receiver}\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", str(clients))
    get_settings.cache_clear()
    ctx = context_from_settings(get_settings())
    try:
        with ctx.db.session() as s:
            call = create_call_with_job(s, client="pbx2", external_id="cb-1", audio_sha256="b" * 64,
                                        meta=CallMeta()).call
            set_call_status(s, call.id, CallStatus.DONE)
            call_id = call.id
        assert notify_completion(ctx, call_id) is True
        (body, headers), = _Recorder.received
        # What the telephony system runs: the reference library, with the one secret it shares with us.
        assert Webhook(SECRET).verify(body, headers)["call_id"] == "cb-1"
        assert headers["webhook-id"].startswith(CALLBACK_ID_PREFIX)
        assert json.loads(body) == {"type": "call.processed", "call_id": "cb-1", "status": "done",
                                    "status_url": "/v1/calls/cb-1?client=pbx2",  # ids are unique per client
                                    "marketing_choices": []}  # verified ones: tests/service/test_rights_items.py
        with ctx.db.session() as s:
            other = create_call_with_job(s, client="default", external_id="cb-2", audio_sha256="c" * 64,
                                         meta=CallMeta()).call.id
        assert notify_completion(ctx, other) is False, "the default client has no callback URL"
        assert len(_Recorder.received) == 1
    finally:
        ctx.db.dispose()


def test_a_captured_callback_replayed_as_a_webhook_is_refused(
        isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, receiver: str) -> None:
    """Review #23: callbacks are signed with the client's inbound secret, so a captured one verifies as a
    delivery. Before, only its JSON body stopped it (400 bad_multipart, after the signature passed); now the
    callback's id namespace is refused at the signature check, whatever the (unsigned) content type says."""
    from fastapi.testclient import TestClient

    from service.api.app import create_app

    clients = tmp_path / "clients.yaml"
    clients.write_text(f"- name: pbx2\n  secret: {SECRET}\n  callback_url: {receiver}\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", str(clients))
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as api:
        ctx = api.app.state.ctx
        with ctx.db.session() as s:
            call = create_call_with_job(s, client="pbx2", external_id="cb-9", audio_sha256="d" * 64,
                                        meta=CallMeta()).call
            set_call_status(s, call.id, CallStatus.DONE)
            call_id = call.id
        assert notify_completion(ctx, call_id) is True
        (body, headers), = _Recorder.received
        replay = {k: v for k, v in headers.items() if k.lower().startswith("webhook-")}
        r = api.post("/v1/calls", content=body,
                     headers={**replay, "content-type": "multipart/form-data; boundary=x"})
        assert r.status_code == 401 and r.json()["error"] == "bad_signature", r.text
