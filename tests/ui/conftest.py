"""A real uvicorn server on a free loopback port, seeded calls and users, and Debian's headless Chromium.

Playwright drives ``/usr/bin/chromium`` (never a downloaded browser). Tests here are skipped, with the
reason, only when that binary is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.api.app import create_app
from service.platform.config import get_settings
from tests.service.conftest import db, db_url, isolated_settings  # noqa: F401 - fixtures used here
from tests.serving import uvicorn_server
from tests.ui.clients import PASSWORD, add_users
from tests.ui.seeding import seed_demo_set

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Served:
    base_url: str
    app: Any
    calls: dict[str, Any]

    @property
    def ctx(self) -> Any:
        return self.app.state.ctx


@pytest.fixture
def served(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:  # noqa: F811
    """The whole app (HTTP only, no worker threads) under uvicorn, with demo calls and one user per role."""
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    app = create_app(get_settings(), workers=False)
    with uvicorn_server(app) as base_url:
        ctx = app.state.ctx
        calls = seed_demo_set(ctx.db, ctx.blobs)
        add_users(ctx.db)
        yield Served(base_url=base_url, app=app, calls=calls)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                                    "--autoplay-policy=no-user-gesture-required"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fi-FI")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()


def login(page: Any, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/ui/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/ui/calls**")
