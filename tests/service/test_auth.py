"""Browser login and sessions: hardened cookies, wrong passwords, disabled users, password changes, CSRF."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.auth.browser import SESSION_COOKIE
from service.store.models import User
from service.store.repo_users import get_user, set_password
from tests.ui.clients import (
    PASSWORD,
    app_with_data,
    browser_login,
    login_form_token,
    new_client,
    page_csrf,
)


@pytest.fixture
def app(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        yield client, tokens


def logged_in(client: TestClient, name: str = "qa-anna") -> TestClient:
    browser = new_client(client)
    r = browser_login(browser, name)
    assert r.status_code == 303 and r.headers["location"] == "/ui/calls", r.text
    return browser


def is_login_redirect(r: Any) -> bool:
    return r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def session_cookie_header(r: Any) -> str:
    return next(h for h in r.headers.get_list("set-cookie")
                if h.startswith((f"{SESSION_COOKIE}=", f"__Host-{SESSION_COOKIE}=")))


def test_login_sets_a_hardened_cookie_without_personal_data(app: Any) -> None:
    client, _ = app
    browser = new_client(client)
    r = browser_login(browser, "qa-anna")
    header = session_cookie_header(r).lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header, "development over plain http (a laptop) gets a non-Secure cookie"
    value = browser.cookies[SESSION_COOKIE]
    payload = json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))
    with client.app.state.ctx.db.session() as s:
        anna = get_user(s, "qa-anna")
        assert set(payload) == {"u", "t", "v", "s"} and payload["u"] == anna.id
        assert anna.password_hash not in value and "qa-anna" not in value
    assert browser.get("/ui/calls").status_code == 200


def test_cookie_is_secure_over_https(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch, base_url="https://testserver") as (client, _):
        header = session_cookie_header(browser_login(client, "qa-anna"))
        assert "secure" in header.lower() and header.startswith("__Host-"), "Secure cookies get the prefix"


def test_wrong_password_and_unknown_user_look_the_same(app: Any, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = app
    caplog.set_level(logging.DEBUG)
    wrong = browser_login(new_client(client), "qa-anna", "väärä-salasana-123")
    unknown = browser_login(new_client(client), "nobody-here", "väärä-salasana-123")
    for r in (wrong, unknown):
        assert r.status_code == 401 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
        assert "Väärä käyttäjätunnus tai salasana" in r.text
    assert "väärä-salasana" not in caplog.text and "nobody-here" not in caplog.text


def test_login_needs_its_own_csrf_token(app: Any) -> None:
    client, _ = app
    other = new_client(client)
    foreign = login_form_token(other)  # valid, but bound to another browser's nonce cookie
    browser = new_client(client)
    login_form_token(browser)
    for token in ("", foreign):
        r = browser.post("/ui/login", data={"name": "qa-anna", "password": PASSWORD, "csrf": token})
        assert r.status_code == 400 and SESSION_COOKIE not in browser.cookies


def test_next_never_leaves_the_site(app: Any) -> None:
    client, _ = app
    for target, expected in (("https://evil.example/", "/ui/calls"), ("//evil.example/ui/", "/ui/calls"),
                             ("/ui/calls/pbx-2001", "/ui/calls/pbx-2001")):
        browser = new_client(client)
        data = {"name": "qa-anna", "password": PASSWORD, "csrf": login_form_token(browser), "next": target}
        r = browser.post("/ui/login", data=data)
        assert r.headers["location"] == expected


def test_disabling_a_user_ends_their_session_and_token_at_once(app: Any) -> None:
    client, tokens = app
    anna = logged_in(client, "qa-anna")
    api = {"authorization": f"Bearer {tokens['qa-anna']}"}
    assert anna.get("/ui/calls").status_code == 200
    assert client.get("/v1/calls/pbx-2001", headers=api).status_code == 200

    admin = logged_in(client, "admin-sari")
    r = admin.post("/ui/users/qa-anna/disable", data={"csrf": page_csrf(admin)})
    assert r.status_code == 303

    assert is_login_redirect(anna.get("/ui/calls"))
    assert anna.get("/v1/calls/pbx-2001/audio").status_code == 401
    assert client.get("/v1/calls/pbx-2001", headers=api).status_code == 401
    assert browser_login(new_client(client), "qa-anna").status_code == 401


def test_changing_the_password_ends_existing_sessions(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    with client.app.state.ctx.db.session() as s:
        set_password(s, "qa-anna", "uusi-hyvin-pitkä-salasana")
    assert is_login_redirect(anna.get("/ui/calls"))
    assert browser_login(new_client(client), "qa-anna", "uusi-hyvin-pitkä-salasana").status_code == 303


def test_forged_and_expired_cookies_are_refused(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    value = anna.cookies[SESSION_COOKIE]
    _payload, rest = value.split(".", 1)
    forged = base64.urlsafe_b64encode(json.dumps({"u": 3, "t": 0, "v": "x", "s": "y"}).encode()).decode()
    mallory = new_client(client)
    mallory.cookies.set(SESSION_COOKIE, forged.rstrip("=") + "." + rest)
    assert is_login_redirect(mallory.get("/ui/calls"))
    client.app.state.session_codec.max_age_s = -1  # every cookie is now past its age
    assert is_login_redirect(anna.get("/ui/calls"))


def test_state_changes_without_the_sessions_csrf_token_are_refused(app: Any) -> None:
    client, _ = app
    admin = logged_in(client, "admin-sari")
    token = page_csrf(admin)
    second_login = logged_in(client, "admin-sari")
    other_token = page_csrf(second_login)  # same person, another session: a different token
    assert other_token != token

    def users() -> int:
        with client.app.state.ctx.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(User)))

    before = users()
    for bad in ({}, {"csrf": "0" * 64}, {"csrf": other_token}):
        r = admin.post("/ui/users", data={"name": "forged-user", "role": "admin", **bad})
        assert r.status_code == 403 and "tarkiste" in r.text
    assert users() == before
    assert admin.post("/ui/logout", data={}).status_code == 403
    assert admin.get("/ui/calls").status_code == 200, "a refused logout leaves the session alone"

    body = {"turn": 9, "start": 0, "end": 15, "type": "ADDRESS"}
    r = admin.post("/ui/calls/pbx-2001/report", json=body)
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = admin.post("/ui/calls/pbx-2001/report", json=body, headers={"x-csrf-token": other_token})
    assert r.status_code == 403
    ok = admin.post("/ui/calls/pbx-2001/report", json=body, headers={"x-csrf-token": token})
    assert ok.status_code == 200, ok.text


def test_logout_ends_the_browser_session(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    r = anna.post("/ui/logout", data={"csrf": page_csrf(anna)})
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?bye=1"
    assert SESSION_COOKIE not in anna.cookies
    assert is_login_redirect(anna.get("/ui/calls"))
    assert "Olet kirjautunut ulos" in anna.get("/ui/login?bye=1").text


def test_admin_creates_a_user_who_can_log_in(app: Any) -> None:
    client, _ = app
    admin = logged_in(client, "admin-sari")
    r = admin.post("/ui/users", data={"name": "qa-ville", "role": "qa_reviewer", "csrf": page_csrf(admin)})
    assert r.status_code == 201
    shown = r.text.split('id="new-password">')[1].split("<")[0]
    assert browser_login(new_client(client), "qa-ville", shown).status_code == 303
    dup = admin.post("/ui/users", data={"name": "qa-ville", "role": "admin", "csrf": page_csrf(admin)})
    assert dup.status_code == 409
    assert admin.post("/ui/users/admin-sari/disable", data={"csrf": page_csrf(admin)}).status_code == 409
