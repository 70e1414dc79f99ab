"""Fixtures of the reliability tests: the app on a fresh store (SQLite and, when configured, PostgreSQL),
served in-process (TestClient) or by a real uvicorn on a loopback port, and personal tokens per role."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.platform.config import get_settings
from service.store.repo_users import create_user
from tests.reliability.helpers import ROLES
from tests.service.conftest import db_url, isolated_settings  # noqa: F401 - fixtures used by this package


def clear_caches() -> None:
    """Forget cached settings, key, register and retention (the env changed)."""
    from service.privacy import register, retention
    get_settings.cache_clear()
    register._cached.cache_clear()
    retention._cached.cache_clear()


@pytest.fixture
def make_api(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
             ) -> Callable[..., contextlib.AbstractContextManager[TestClient]]:
    """``with make_api(DATABASE_URL=..., MAX_AUDIO_SECONDS="2") as api:`` — HTTP only, no worker threads."""

    @contextlib.contextmanager
    def _make(*, workers: bool = False, **env: str) -> Iterator[TestClient]:
        for name, value in env.items():
            monkeypatch.setenv(f"PUHETURVA_{name}", value)
        clear_caches()
        with TestClient(create_app(get_settings(), workers=workers)) as client:
            yield client

    return _make


@pytest.fixture
def api(make_api: Callable[..., Any], db_url: str) -> Iterator[TestClient]:  # noqa: F811
    """The app on a fresh database (SQLite, and PostgreSQL when configured)."""
    with make_api(DATABASE_URL=db_url) as client:
        yield client


def tokens_for_roles(db: Any) -> dict[str, str]:
    """One named user per role; ``{role: bearer token}``."""
    out = {}
    with db.session() as s:
        for role in ROLES:
            _user, out[role] = create_user(s, f"rel-{role}", role)
    return out
