"""HTTP helpers for the role and auth tests: the app on real storage, and logging in as a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.platform.config import get_settings
from service.store.repo_users import create_user, set_password
from tests.ui.seeding import seed_demo_set

PASSWORD = "oikein-pitkä-salasana-1"
USERS = {"qa-anna": "qa_reviewer", "tsv-pekka": "privacy_officer", "admin-sari": "admin"}
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@contextmanager
def app_with_data(db_url: str, monkeypatch: pytest.MonkeyPatch, *, base_url: str = "http://testserver"
                  ) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app (no workers) with the demo calls and one user per role; yields (client, API tokens)."""
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    app = create_app(get_settings(), workers=False)
    with TestClient(app, base_url=base_url, follow_redirects=False) as client:
        ctx = app.state.ctx
        seed_demo_set(ctx.db, ctx.blobs)
        yield client, add_users(ctx.db)


def add_users(db: Any) -> dict[str, str]:
    """One user per role, all with ``PASSWORD``; returns their API tokens. Argon2 runs once (it is slow
    on purpose) and the other users share that hash."""
    tokens, first = {}, None
    with db.session() as s:
        for name, role in USERS.items():
            user, tokens[name] = create_user(s, name, role)
            if first is None:
                set_password(s, name, PASSWORD)
                first = user
            else:
                user.password_hash = first.password_hash
    return tokens


def new_client(client: TestClient) -> TestClient:
    """Another browser on the same app (own cookie jar), without re-running the lifespan."""
    return TestClient(client.app, base_url=str(client.base_url), follow_redirects=False)


def login_form_token(client: TestClient) -> str:
    page = client.get("/ui/login")
    assert page.status_code == 200, page.text
    return _CSRF_FIELD.search(page.text).group(1)


def browser_login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    """Post the login form as a browser would (with its CSRF token); returns the response."""
    form = {"name": name, "password": password, "csrf": login_form_token(client), "next": "/ui/calls"}
    return client.post("/ui/login", data=form)


def page_csrf(client: TestClient) -> str:
    """The session's CSRF token, as the page embeds it."""
    page = client.get("/ui/calls")
    assert page.status_code == 200, page.status_code
    return _CSRF_META.search(page.text).group(1)
