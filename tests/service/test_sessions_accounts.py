"""Sessions and accounts (review #6, #7, #15, #18, #20) through the real ASGI app on real SQLite/PostgreSQL.

Each test replays the review's attack: a cookie copied before logout, a password change or a disable; an
admin minting a privacy officer or keeping a new user's credentials; a spoofed ``USER`` for the CLI; a
password guesser spread over many addresses.
"""

from __future__ import annotations

import os
import pwd
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from models.provenance import utcnow
from service.cli.commands import users_app
from service.cli.commands.database import cli_actor
from service.store.db import open_database
from service.store.models import ApiToken, AuditEntry, BrowserSession, User
from tests.ui.clients import PASSWORD, app_with_data, browser_login, login_form_token, new_client, page_csrf

NEW_PASSWORD = "toinen-pitkä-salasana-2"
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
_NEW_TOKEN = re.compile(r'id="new-token">(pt_[^<]+)<')


@pytest.fixture
def app(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        yield client, tokens


def logged_in(client: TestClient, name: str = "qa-anna", password: str = PASSWORD) -> TestClient:
    browser = new_client(client)
    r = browser_login(browser, name, password)
    assert r.status_code == 303, r.text
    return browser


def replay(client: TestClient, browser: TestClient) -> TestClient:
    """A second browser holding a copy of ``browser``'s cookies (stolen from a shared PC or a proxy log)."""
    thief = new_client(client)
    for name, value in browser.cookies.items():
        thief.cookies.set(name, value)
    return thief


def refused(browser: TestClient) -> bool:
    """True when the cookie opens neither the UI nor the JSON API."""
    ui = browser.get("/ui/calls")
    api = browser.get("/v1/calls/pbx-2001")
    return (ui.status_code == 303 and ui.headers["location"].startswith("/ui/login")) and api.status_code == 401


def change_password(browser: TestClient, current: str, new: str) -> Any:
    page = browser.get("/ui/account/password")
    assert page.status_code == 200, page.text
    csrf = _CSRF_FIELD.search(page.text).group(1)
    return browser.post("/ui/account/password", data={"csrf": csrf, "current": current, "new": new,
                                                       "confirm": new})


def test_cookie_copied_before_logout_no_longer_works(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    thief = replay(client, anna)
    assert thief.get("/ui/calls").status_code == 200 and thief.get("/v1/calls/pbx-2001").status_code == 200
    assert anna.post("/ui/logout", data={"csrf": page_csrf(anna)}).status_code == 303
    assert refused(thief)


def test_cookie_copied_before_a_password_change_or_disable_no_longer_works(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    other_pc = logged_in(client)
    thief = replay(client, anna)
    r = change_password(anna, PASSWORD, NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/ui/account?changed=1", r.text
    assert refused(thief) and refused(other_pc), "a password change ends every other session"
    assert anna.get("/ui/calls").status_code == 200, "the browser that changed it stays logged in"
    assert browser_login(new_client(client), "qa-anna", PASSWORD).status_code == 401
    kept = replay(client, logged_in(client, password=NEW_PASSWORD))

    admin = logged_in(client, "admin-sari")
    assert admin.post("/ui/users/qa-anna/disable", data={"csrf": page_csrf(admin)}).status_code == 303
    assert refused(anna) and refused(kept)


def test_wrong_current_password_or_short_new_one_is_refused(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    assert change_password(anna, "väärä-salasana-123", NEW_PASSWORD).status_code == 403
    with client.app.state.ctx.db.session() as s:  # a stolen session cannot guess the password freely
        assert s.scalars(select(User.failed_logins).where(User.name == "qa-anna")).one() == 1
    assert change_password(anna, PASSWORD, "lyhyt").status_code == 422
    assert browser_login(new_client(client), "qa-anna", PASSWORD).status_code == 303


def test_an_idle_session_expires(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    assert anna.get("/ui/calls").status_code == 200
    with client.app.state.ctx.db.session() as s:
        s.execute(update(BrowserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert refused(anna)


def test_admin_cannot_create_a_privacy_officer(app: Any) -> None:
    client, _ = app
    admin = logged_in(client, "admin-sari")
    r = admin.post("/ui/users", data={"name": "fake-tsv", "role": "privacy_officer", "csrf": page_csrf(admin)})
    assert r.status_code == 403 and "tietosuojavastaava" in r.text.lower()
    with client.app.state.ctx.db.session() as s:
        assert s.scalars(select(User).where(User.name == "fake-tsv")).first() is None


def test_admin_gets_only_a_temporary_password_that_dies_at_first_login(app: Any) -> None:
    client, _ = app
    admin = logged_in(client, "admin-sari")
    r = admin.post("/ui/users", data={"name": "qa-ville", "role": "qa_reviewer", "csrf": page_csrf(admin)})
    assert r.status_code == 201
    temporary = r.text.split('id="new-password">')[1].split("<")[0]
    assert "pt_" not in r.text, "the admin sees no API token of the new user"
    with client.app.state.ctx.db.session() as s:
        ville = s.scalars(select(User).where(User.name == "qa-ville")).one()
        assert ville.must_change_password
        assert s.scalars(select(ApiToken).where(ApiToken.user_id == ville.id)).first() is None

    ville = new_client(client)
    r = browser_login(ville, "qa-ville", temporary)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/account/password")
    blocked = ville.get("/ui/calls")
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/ui/account/password")
    assert ville.get("/v1/calls/pbx-2001").status_code == 403
    assert change_password(ville, temporary, NEW_PASSWORD).status_code == 303
    assert ville.get("/ui/calls").status_code == 200
    assert browser_login(new_client(client), "qa-ville", temporary).status_code == 401
    assert browser_login(new_client(client), "qa-ville", NEW_PASSWORD).status_code == 303


def test_owner_creates_lists_and_revokes_tokens(app: Any) -> None:
    client, tokens = app
    anna = logged_in(client)
    page = anna.get("/ui/account")
    assert page.status_code == 200
    csrf = _CSRF_FIELD.search(page.text).group(1)
    r = anna.post("/ui/account/tokens", data={"csrf": csrf, "label": "skripti", "days": "30"})
    assert r.status_code == 201
    new_token = _NEW_TOKEN.search(r.text).group(1)
    api = {"authorization": f"Bearer {new_token}"}
    assert client.get("/v1/calls/pbx-2001", headers=api).status_code == 200
    listing = anna.get("/ui/account").text
    assert new_token not in listing and "skripti" in listing, "listed by label, shown only once"

    with client.app.state.ctx.db.session() as s:
        anna_id = s.scalars(select(User.id).where(User.name == "qa-anna")).one()
        ids = dict(s.execute(select(ApiToken.label, ApiToken.id).where(ApiToken.user_id == anna_id)).all())
        sari_token = s.scalars(select(ApiToken.id).join(User).where(User.name == "admin-sari")).one()
    assert anna.post(f"/ui/account/tokens/{sari_token}/revoke", data={"csrf": csrf}).status_code == 404
    assert client.get("/v1/calls/pbx-2001",
                      headers={"authorization": f"Bearer {tokens['admin-sari']}"}).status_code == 200
    assert anna.post(f"/ui/account/tokens/{ids['skripti']}/revoke", data={"csrf": csrf}).status_code == 303
    assert client.get("/v1/calls/pbx-2001", headers=api).status_code == 401
    first = {"authorization": f"Bearer {tokens['qa-anna']}"}
    assert client.get("/v1/calls/pbx-2001", headers=first).status_code == 200, "only that one token"

    with client.app.state.ctx.db.session() as s:
        s.execute(update(ApiToken).where(ApiToken.user_id == anna_id)
                  .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/v1/calls/pbx-2001", headers=first).status_code == 401, "an expired token"


def test_failed_logins_lock_the_account_across_addresses_and_are_audited(app: Any) -> None:
    client, _ = app
    for i in range(5):
        guesser = TestClient(client.app, follow_redirects=False, client=(f"10.0.0.{i}", 4000))
        form = {"name": "qa-anna", "password": f"arvaus-{i}-xxxxxxx", "csrf": login_form_token(guesser)}
        assert guesser.post("/ui/login", data=form).status_code == 401
    fresh = TestClient(client.app, follow_redirects=False, client=("10.9.9.9", 4000))
    r = browser_login(fresh, "qa-anna", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0, "the account is locked for everyone"
    with client.app.state.ctx.db.session() as s:
        anna = s.scalars(select(User).where(User.name == "qa-anna")).one()
        assert anna.failed_logins >= 5 and anna.locked_until is not None
        failed = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
        assert len(failed) >= 5
        for e in failed:
            assert "qa-anna" not in f"{e.actor} {e.object_id} {e.detail}" and "arvaus" not in str(e.detail)
        anna.locked_until = utcnow() - timedelta(seconds=1)  # the back-off passed
    assert browser_login(new_client(client), "qa-anna", PASSWORD).status_code == 303
    with client.app.state.ctx.db.session() as s:
        assert s.scalars(select(User.failed_logins).where(User.name == "qa-anna")).one() == 0


def test_https_cookie_has_the_host_prefix_and_hsts(isolated_settings: Path, db_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch, base_url="https://testserver") as (client, tokens):
        r = browser_login(client, "qa-anna")
        header = next(h for h in r.headers.get_list("set-cookie") if "session" in h)
        assert header.startswith("__Host-puheturva_session=") and "secure" in header.lower()
        assert "domain" not in header.lower() and "path=/;" in header.lower() + ";"
        assert "max-age=31536000" in client.get("/ui/calls").headers["strict-transport-security"]
        api = client.get("/v1/calls/pbx-2001", headers={"authorization": f"Bearer {tokens['qa-anna']}"})
        assert "strict-transport-security" in api.headers


def test_plain_http_development_has_no_hsts_and_no_prefix(app: Any) -> None:
    client, _ = app  # a laptop at 127.0.0.1: HSTS would pin it to https it does not serve
    r = browser_login(new_client(client), "qa-anna")
    assert any(h.startswith("puheturva_session=") for h in r.headers.get_list("set-cookie"))
    assert "strict-transport-security" not in client.get("/ui/login").headers


def test_cli_actor_is_the_os_account_whatever_user_says(isolated_settings: Path, db_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = pwd.getpwuid(os.geteuid()).pw_name
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    for var in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "demo-privacy")
    assert cli_actor() == f"cli:{real}#{os.geteuid()}" and "demo-privacy" not in cli_actor()
    res = CliRunner().invoke(users_app, ["add", "spoof-test", "--role", "admin"])
    assert res.exit_code == 0, res.output
    db = open_database(db_url)
    try:
        with db.session() as s:
            row = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.add")).one()
            assert row.actor == cli_actor() and "demo-privacy" not in row.actor
            assert row.detail["uid"] == os.geteuid()
    finally:
        db.dispose()


def test_a_role_change_ends_the_sessions(app: Any) -> None:
    client, _ = app
    anna = logged_in(client)
    thief = replay(client, anna)
    res = CliRunner().invoke(users_app, ["role", "qa-anna", "--role", "admin"])
    assert res.exit_code == 0, res.output
    assert refused(anna) and refused(thief)
    promoted = logged_in(client)
    assert promoted.get("/ui/users").status_code == 200, "the new role after a new login"
    assert CliRunner().invoke(users_app, ["role", "nobody", "--role", "admin"]).exit_code == 1
