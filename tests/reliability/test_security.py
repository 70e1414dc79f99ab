"""Security properties that need no models: secrets and identifiers kept out of logs and error answers,
security headers on every response, login throttling, and tamper-evidence of the audit log against raw SQL.
(The encrypted-at-rest checks after a real processed call are in ``test_pii_end_to_end.py``.)
"""

from __future__ import annotations

import base64
import json
import logging
import logging.config
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.auth.login_limit import LoginLimiter
from service.platform.config import DEV_WEBHOOK_SECRET
from service.platform.logging_setup import PiiScrubFilter, scrub
from service.privacy import audit
from service.store.db import Database
from service.store.models import AuditEntry, User
from service.store.repo_users import create_user, set_password
from tests.reliability.conftest import tokens_for_roles
from tests.reliability.helpers import BAD, LOGGERS, Capture, post_call
from tests.service.conftest import NOW, db  # noqa: F401 - fixture
from tests.service.test_webhook import META

AUDIO = (BAD / "rate_8k.wav").read_bytes()
CALLER = "040 765 1234"
HETU = "131052-308T"
EMAIL = "pekka.nieminen@example.fi"
PASSWORD = "salainen-Salasana-77"
@pytest.fixture
def debug_logs() -> Iterator[Capture]:
    """DEBUG on the root logger and the libraries' own loggers, captured for inspection."""
    handler = Capture()
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
        if name:
            logging.getLogger(name).propagate = True
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, (level, propagate) in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).propagate = propagate


def secrets_of(api: TestClient, tokens: dict[str, str]) -> list[str]:
    """Every secret the process holds: webhook secret (and its key), encryption and index keys, tokens."""
    settings = api.app.state.ctx.settings
    webhook = DEV_WEBHOOK_SECRET
    raw_key = webhook.removeprefix("whsec_")
    out = [webhook, raw_key, base64.b64decode(raw_key).decode("latin-1"), *tokens.values(), PASSWORD]
    for key in (settings.encryption_key_bytes(), settings.index_key_bytes()):
        out += [base64.b64encode(key).decode(), key.hex()]
    return out


def test_secrets_and_identifiers_stay_out_of_logs_and_errors(api: TestClient, debug_logs: Capture) -> None:
    """The webhook and API flow with its error paths, everything at DEBUG: no secret, no identifier."""
    tokens = tokens_for_roles(api.app.state.ctx.db)
    with api.app.state.ctx.db.session() as s:
        set_password(s, "rel-admin", PASSWORD)
    meta = {**META, "call_id": "pbx-sec-1", "caller": CALLER, "customer_number": "A-445566"}
    answers = [post_call(api, meta, AUDIO)]
    assert answers[0].status_code == 202
    answers += [
        post_call(api, meta, AUDIO, secret="whsec_" + "QUJD" * 10),  # bad signature
        post_call(api, meta, AUDIO, timestamp=int(time.time()) - 3600),  # stale
        post_call(api, {**meta, "call_id": HETU + "\u202e"}, AUDIO),  # an identifier where the id goes
        post_call(api, {**meta, "call_id": "pbx-sec-2", "queue": EMAIL * 20}, AUDIO),  # overlong, with e-mail
        post_call(api, {**meta, "call_id": "pbx-sec-3", "caller": CALLER + "\u0000"}, AUDIO),
        post_call(api, {**meta, "call_id": "pbx-sec-1"}, (BAD / "stereo_48k.wav").read_bytes()),  # conflict
        post_call(api, json.dumps(meta)[:-3], AUDIO),  # broken JSON quoting the number
        api.get(f"/v1/calls/{HETU}", headers={"authorization": f"Bearer {tokens['admin']}"}),
        api.get("/v1/calls/pbx-sec-1", headers={"authorization": f"Bearer {tokens['admin']}x"}),
        api.get("/v1/calls/pbx-sec-1", headers={"authorization": "Basic " + base64.b64encode(
            f"admin:{PASSWORD}".encode()).decode()}),
        api.get("/v1/calls/pbx-sec-1", headers={"authorization": f"Bearer {tokens['qa_reviewer']}"}),
        api.get(f"/v1/calls/pbx-sec-1?caller={CALLER}&email={EMAIL}",
                headers={"authorization": f"Bearer {tokens['admin']}"}),
        api.get("/metrics"),
    ]
    assert [a.status_code for a in answers[1:]] == [401, 401, 422, 422, 422, 409, 422, 404, 401, 401, 200, 200,
                                                     200]
    api.post("/ui/login", data={"name": "rel-admin", "password": PASSWORD + "x", "csrf": "forged"})
    errors = "\n".join(a.text for a in answers if a.status_code >= 400)
    everything = debug_logs.text + "\n" + errors + "\n" + answers[-1].text
    assert debug_logs.lines, "the capture works"
    assert "sqlalchemy.engine" in debug_logs.text, "SQL logging was on"
    for secret in secrets_of(api, tokens):
        assert secret not in everything, "a secret reached a log line or an answer"
    for ident in (CALLER, CALLER.replace(" ", ""), "0407651234", "7651234", HETU, "131052", EMAIL, "445566"):
        assert ident not in everything, f"identifier {ident[:3]}… leaked"


def test_security_headers_on_every_kind_of_response(api: TestClient) -> None:
    answers = {path: api.get(path) for path in ("/healthz", "/openapi.json", "/metrics", "/docs",
                                                "/v1/calls/pbx-x", "/ui/login", "/ui/static/app.css")}
    answers["POST /v1/calls"] = post_call(api, META, AUDIO, secret="whsec_" + "QUJD" * 10)
    for name, r in answers.items():
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", name
        assert h["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in h["content-security-policy"], name
        assert h["referrer-policy"] == "no-referrer", name
    for name in ("/healthz", "/metrics", "/v1/calls/pbx-x", "POST /v1/calls", "/openapi.json"):
        h = answers[name].headers
        assert h["content-security-policy"].startswith("default-src 'none'"), name
        assert h["cache-control"] == "no-store", name
    ui_csp = answers["/ui/login"].headers["content-security-policy"]
    assert "script-src 'self'" in ui_csp, "the UI's own policy is left in place"


def test_login_is_throttled_per_address_and_name(api: TestClient) -> None:
    from tests.ui.clients import browser_login, new_client

    with api.app.state.ctx.db.session() as s:
        create_user(s, "liisa", "qa_reviewer")
        set_password(s, "liisa", PASSWORD)
    browser = new_client(api)
    for _ in range(5):
        assert browser_login(browser, "liisa", "arvaus-123456").status_code == 401
    r = browser_login(browser, "liisa", PASSWORD)  # even the right password waits now
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Too many failed attempts" in r.text or "Liian monta" in r.text
    assert browser_login(browser, "someone-else", "arvaus-123456").status_code == 401, "other names unaffected"
    api.app.state.login_limiter = LoginLimiter()  # the window passed ...
    assert browser_login(browser, "liisa", PASSWORD).status_code == 429, "... but the account's own lock holds"
    with api.app.state.ctx.db.session() as s:  # ... and so did the account's back-off (review #18)
        s.execute(sa.update(User).where(User.name == "liisa").values(locked_until=None))
    assert browser_login(browser, "liisa", PASSWORD).status_code == 303


def test_login_limiter_window_and_reset() -> None:
    now = [1000.0]
    limiter = LoginLimiter(per_name=3, per_address=5, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1", "Anna") is None
        limiter.failed("10.0.0.1", "Anna")
    assert limiter.retry_after("10.0.0.1", " anna ") == 61, "names compare case- and space-insensitively"
    assert limiter.retry_after("10.0.0.2", "anna") is None, "another address is not blocked"
    now[0] += 61
    assert limiter.retry_after("10.0.0.1", "anna") is None, "failures expire with the window"
    limiter.failed("10.0.0.1", "anna")
    limiter.succeeded("10.0.0.1", "anna")
    assert limiter.retry_after("10.0.0.1", "anna") is None, "a success clears the name's count"
    for name in "bcde":
        limiter.failed("10.0.0.1", name)
    assert limiter.retry_after("10.0.0.1", "f") is not None, "5 failures from one address over any names"


def _fill(db: Database, n: int = 4) -> None:  # noqa: F811
    with db.session() as s:
        for i in range(n):
            audit.record(s, "liisa", "qa_reviewer", "call.view", "call", f"id-{i}", {"n": i}, now=NOW)


def _verify(db: Database) -> audit.VerifyResult:  # noqa: F811
    with db.session() as s:
        return audit.verify(s)


def test_audit_detects_raw_sql_edits(db: Database, isolated_settings: Path) -> None:  # noqa: F811
    """Edits made behind the ORM's back (psql, sqlite3) are caught too, even with the row's hash recomputed
    (by a forger without the audit key, which lives in ``isolated_settings``' data dir)."""
    _fill(db)
    assert _verify(db).ok
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE seq = 2"))
    res = _verify(db)
    assert (res.ok, res.bad_seq) == (False, 2) and "edited" in res.problem
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET detail = '{\"n\": 1}' WHERE seq = 2"))
    assert _verify(db).ok, "restoring the row restores the chain (the check reads the stored values)"
    with db.session() as s:  # a forger who knows the scheme but not the key: edit row 3, recompute its hash
        row = s.get(AuditEntry, 3)
        row.actor = "mallory"
        forged = audit.legacy_hash(row.prev_hash, row)
        s.rollback()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 3"), {"h": forged})
    res = _verify(db)
    assert (res.ok, res.bad_seq) == (False, 3) and "without the key" in res.problem
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 1"))
    assert _verify(db).bad_seq == 2


def test_log_scrubber_is_a_last_line_of_defence() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "lookup of %s / %s / %s failed", (
        "soita 040 765 1234", HETU, "pekka.nieminen@example.fi"), None)
    PiiScrubFilter().filter(record)
    text = record.getMessage()
    assert "765" not in text and "308T" not in text and "example" not in text, text
    assert scrub("job 12 took 3.5 s at 2026-11-28 23:55:11 for call 5c0f12ab-1234-4bcd-8123-123456789012") == \
        "job 12 took 3.5 s at 2026-11-28 23:55:11 for call 5c0f12ab-1234-4bcd-8123-123456789012"
    assert scrub("numero nolla neljä nolla seitsemän kuusi") == "numero [number words]"
    assert scrub("FI50 1034 5600 1234 56") == "[iban]"
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", "/ui/calls?q=Virtanen", "1.1", 200), None)
    PiiScrubFilter().filter(access)
    assert "Virtanen" not in access.getMessage() and "/ui/calls" in access.getMessage()
    try:
        raise ValueError(f"bad value {HETU}")
    except ValueError:
        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    PiiScrubFilter().filter(failing)
    assert HETU not in logging.Formatter().format(failing)


def test_serve_logging_is_scrubbed(tmp_path: Path) -> None:
    """``puheturva serve`` wires the filter into root and uvicorn handlers."""
    from service.platform.logging_setup import uvicorn_log_config

    config = uvicorn_log_config()
    assert all("pii" in h["filters"] for h in config["handlers"].values())
    logging.config.dictConfig({**config, "disable_existing_loggers": False})
    try:
        handler = logging.getLogger("uvicorn.access").handlers[0]
        assert any(isinstance(f, PiiScrubFilter) for f in handler.filters)
    finally:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers.clear()
