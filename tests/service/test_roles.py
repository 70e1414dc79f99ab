"""Every role × every route, through the real ASGI app on a real database.

One table says what each role gets on each route; the test walks it with a browser session per role and
again with each person's API token, and reports every cell that differs. Anonymous visitors get 401 on the
API and a redirect to the login page in the UI; telephony clients have no user at all, so no person's
credentials open the webhook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.store.models import AuditEntry
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job
from service.store.repo_users import create_user
from tests.ui.clients import USERS, app_with_data, browser_login, new_client, page_csrf

ANON, QA, PRIV, ADMIN = "anonymous", "qa_reviewer", "privacy_officer", "admin"
LOGIN = "login"  # 303 to /ui/login?next=...
BAD_SELECTION = {"turn": 9, "start": 30, "end": 5, "type": "ADDRESS"}  # passes auth, then refused (422)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expect: dict[str, int | str]
    form: dict[str, str] | None = None
    json: dict[str, Any] | None = None
    ui_only: bool = False  # browser session only: an API token counts as anonymous here
    extra: dict[str, str] = field(default_factory=dict)


def readers(anon: int | str, ok: int = 200, qa: int | None = None) -> dict[str, int | str]:
    return {ANON: anon, QA: ok if qa is None else qa, PRIV: ok, ADMIN: ok}


MATRIX = [
    Case("GET", "/healthz", readers(200)),
    Case("GET", "/", readers(303, ok=303)),
    Case("GET", "/ui/login", {ANON: 200, QA: 303, PRIV: 303, ADMIN: 303}, ui_only=True),
    Case("GET", "/ui/calls", readers(LOGIN), ui_only=True),
    Case("GET", "/ui/calls?q=kaapeli&pii=HETU&retention=restricted", readers(LOGIN), ui_only=True),
    Case("GET", "/ui/calls/pbx-2001", readers(LOGIN), ui_only=True),
    # Restricted (art. 18: storage only): the privacy officer who handles the request sees it, nobody else.
    Case("GET", "/ui/calls/pbx-1970", {ANON: LOGIN, QA: 404, PRIV: 200, ADMIN: 404}, ui_only=True),
    Case("GET", "/ui/calls/pbx-queued", readers(LOGIN), ui_only=True),  # received, not processed yet
    Case("GET", "/ui/calls/no-such-call", readers(LOGIN, ok=404), ui_only=True),
    Case("GET", "/ui/privacy", {ANON: LOGIN, QA: 403, PRIV: 200, ADMIN: 403}, ui_only=True),
    Case("GET", "/ui/users", {ANON: LOGIN, QA: 403, PRIV: 403, ADMIN: 200}, ui_only=True),
    Case("POST", "/ui/users", {ANON: LOGIN, QA: 403, PRIV: 403, ADMIN: 201}, ui_only=True,
         form={"name": "new-{who}", "role": "qa_reviewer"}),
    Case("POST", "/ui/users/victim-{who}/disable", {ANON: LOGIN, QA: 403, PRIV: 403, ADMIN: 303},
         ui_only=True, form={}),
    Case("POST", "/ui/calls/pbx-2001/report", readers(401, ok=422), json=BAD_SELECTION),
    Case("GET", "/v1/calls/pbx-2001", readers(401)),
    Case("GET", "/v1/calls/pbx-2001/audio", readers(401)),
    Case("GET", "/v1/calls/pbx-1970", {ANON: 401, QA: 404, PRIV: 200, ADMIN: 404}),
    Case("GET", "/v1/calls/pbx-1970/audio", {ANON: 401, QA: 404, PRIV: 200, ADMIN: 404}),
    Case("GET", "/v1/calls/pbx-queued/audio", readers(401, ok=404)),
    Case("POST", "/v1/calls", readers(401, ok=401),  # only signed webhooks, never a person's credentials
         extra={"content-type": "multipart/form-data; boundary=x"}),
    Case("POST", "/ui/logout", readers(LOGIN, ok=303), form={}, ui_only=True),  # last: ends the session
]


def check(client: TestClient, case: Case, want: int | str, who: str, csrf: str | None,
          headers: dict[str, str]) -> str | None:
    path = case.path.format(who=who)
    h = headers | case.extra
    if case.form is not None:
        data = {k: v.format(who=who) for k, v in case.form.items()} | ({"csrf": csrf} if csrf else {})
        r = client.request(case.method, path, data=data, headers=h)
    elif case.json is not None:
        token = {"x-csrf-token": csrf} if csrf else {}
        r = client.request(case.method, path, json=case.json, headers=h | token)
    else:
        r = client.request(case.method, path, headers=h)
    if want == LOGIN:
        ok = r.status_code == 303 and r.headers["location"].startswith("/ui/login?next=")
    else:
        ok = r.status_code == want
    return None if ok else f"{who:16} {case.method:4} {path}: got {r.status_code}, want {want}"


@pytest.fixture
def app(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        with client.app.state.ctx.db.session() as s:
            create_call_with_job(s, client="default", external_id="pbx-queued", audio_sha256="b" * 64,
                                 meta=CallMeta(queue="laskutus"))
            for who in (*USERS, ANON, *(f"{n}-token" for n in USERS)):
                create_user(s, f"victim-{who}", QA)
        yield client, tokens


def test_every_role_on_every_route_with_a_browser_session(app: Any) -> None:
    client, _tokens = app
    problems = []
    for who, role in [(ANON, ANON), *USERS.items()]:
        browser = new_client(client)
        csrf = None
        if role != ANON:
            assert browser_login(browser, who).status_code == 303
            csrf = page_csrf(browser)
        problems += [p for case in MATRIX if (p := check(browser, case, case.expect[role], who, csrf, {}))]
    assert problems == []


def test_every_role_on_every_route_with_a_personal_token(app: Any) -> None:
    """Scripts: the same answers on the API; the UI pages treat a token as no login at all."""
    client, tokens = app
    problems = []
    for who, role in USERS.items():
        bare = new_client(client)
        auth = {"authorization": f"Bearer {tokens[who]}"}
        for case in MATRIX:
            want = case.expect[ANON] if case.ui_only else case.expect[role]
            if (p := check(bare, case, want, f"{who}-token", None, auth)):
                problems.append(p)
    assert problems == []


def test_every_view_of_a_call_is_audited(app: Any) -> None:
    client, tokens = app
    browser = new_client(client)
    browser_login(browser, "qa-anna")
    assert browser.get("/ui/calls/pbx-2001").status_code == 200
    assert browser.get("/v1/calls/pbx-2001/audio").status_code == 200  # the page's player, same session
    api = {"authorization": f"Bearer {tokens['tsv-pekka']}"}
    assert client.get("/v1/calls/pbx-1990", headers=api).status_code == 200
    with client.app.state.ctx.db.session() as s:
        views = select(AuditEntry).where(AuditEntry.action.in_(("call.view", "call.audio")))
        rows = [(e.actor, e.role, e.action, e.detail.get("via"))
                for e in s.scalars(views.order_by(AuditEntry.seq))]
    assert rows == [("qa-anna", QA, "call.view", "ui"), ("qa-anna", QA, "call.audio", None),
                    ("tsv-pekka", PRIV, "call.view", None)]
