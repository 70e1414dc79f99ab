"""Endpoints that answered anyone (review #19): ``/metrics``, ``/readyz``, ``/docs``, ``/openapi.json`` in the
production configuration, and the worker's metrics listener."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.jobs import metrics
from service.platform.config import get_settings
from service.store.db import Database, make_engine, make_session_factory
from service.store.repo_users import create_user
from tests.service.server_process import free_port

METRICS_TOKEN = "mt_" + "x" * 40


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def production(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app in the production configuration (explicit keys and secret), on SQLite and PostgreSQL."""
    for name, value in {"ENVIRONMENT": "production", "DATABASE_URL": db_url, "ENCRYPTION_KEY": _key(),
                        "INDEX_KEY": _key(), "AUDIT_KEY": _key(), "METRICS_TOKEN": METRICS_TOKEN,
                        "WEBHOOK_SECRET": "whsec_" + _key()}.items():
        monkeypatch.setenv(f"PUHETURVA_{name}", value)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        yield client
    get_settings.cache_clear()


def test_anonymous_requests_get_nothing_in_production(production: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert production.get(path).status_code == 404, path
    anonymous = production.get("/metrics")
    assert anonymous.status_code == 401 and "puheturva_" not in anonymous.text
    assert production.get("/metrics", headers={"authorization": "Bearer " + METRICS_TOKEN + "x"}).status_code == 401
    scraped = production.get("/metrics", headers={"authorization": "Bearer " + METRICS_TOKEN})
    assert scraped.status_code == 200 and "puheturva_jobs" in scraped.text


def test_metrics_admit_an_admin_but_no_other_role(production: TestClient) -> None:
    with production.app.state.ctx.db.session() as s:
        _u, admin = create_user(s, "ops-admin", "admin")
        _u, reviewer = create_user(s, "qa-rita", "qa_reviewer")
    assert production.get("/metrics", headers={"authorization": f"Bearer {admin}"}).status_code == 200
    assert production.get("/metrics", headers={"authorization": f"Bearer {reviewer}"}).status_code == 403


def test_readiness_says_only_ready_or_not(production: TestClient) -> None:
    ready = production.get("/readyz")
    assert ready.json() == {"status": "ok"}, ready.text
    ctx = production.app.state.ctx
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/test", connect_args={"connect_timeout": 2})
    kept, ctx.db = ctx.db, Database(dead, make_session_factory(dead))  # nothing listens on port 9
    try:
        broken = production.get("/readyz")
    finally:
        ctx.db = kept
        dead.dispose()
    assert broken.status_code == 503 and broken.json() == {"status": "unavailable"}, broken.text
    assert "Error" not in broken.text


def test_worker_metrics_listen_on_loopback_by_default() -> None:
    port = free_port()
    metrics.serve(port)
    deadline = time.monotonic() + 5
    while True:
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).status_code == 200
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:] + Path("/proc/net/tcp6").read_text().splitlines()[1:]
    locals_ = [line.split()[1] for line in listening if line.split()[3] == "0A"]  # 0A: LISTEN
    mine = [addr for addr in locals_ if addr.endswith(f":{port:04X}")]
    assert mine == ["0100007F:" + f"{port:04X}"], f"bound to {mine} (0100007F is 127.0.0.1)"
