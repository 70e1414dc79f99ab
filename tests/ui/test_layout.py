"""No page scrolls sideways, at desktop (1366 px) and phone (390 px) width, in Finnish and English (review J1 #2:
the open provenance table made the call page 1391 px wide in a 1366 px window).

Each page is checked after it has laid out; on a failure the message names the elements sticking out. Full-page
screenshots of every page go to ``$PUHETURVA_SCREENSHOTS`` or the test's tmp dir.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.privacy import subjects
from tests.ui.conftest import Served, login
from tests.ui.test_browser import shots

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
LOCALES = {"fi": "fi-FI", "en": "en-US"}

OVERFLOW = """() => {
  const w = window.innerWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 0.5 && e.getClientRects().length)
    .slice(0, 8)
    .map(e => [e.tagName.toLowerCase(), ...e.classList].join('.') + ' → '
              + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, inner: w, out};
}"""


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=list(LOCALES))
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sized(browser: Any, width: str, lang: str) -> Iterator[Any]:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale=LOCALES[lang])
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()


def _check(page: Any, out: Path, name: str, failures: list[str]) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    m = page.evaluate(OVERFLOW)
    if m["scroll"] > m["inner"]:
        failures.append(f"{name}: {m['scroll']} px wide in {m['inner']} px; {m['out']}")


def _logout(page: Any) -> None:
    page.click("form[action='/ui/logout'] button")
    page.wait_for_url("**/ui/login**")


def _privacy_request(served: Served) -> str:
    with served.ctx.db.session() as s:
        req = subjects.create_request(
            s, served.ctx.blobs, kind="access", identifiers=[("phone", "040 100 0004")],
            verification="tiketti 4711", verification_method="id_document", actor="tsv-pekka",
            role="privacy_officer")
        return str(req.id)


def test_no_page_scrolls_sideways(served: Served, sized: Any, width: str, lang: str, tmp_path: Path) -> None:
    page, base = sized, served.base_url
    out = shots(tmp_path) / f"layout-{width}-{lang}"
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    request_id = _privacy_request(served)

    page.goto(f"{base}/ui/login")
    _check(page, out, "login", failures)

    login(page, base, "qa-anna")
    _check(page, out, "calls", failures)
    page.goto(f"{base}/ui/calls/pbx-2001?client=default")
    page.click(".provenance summary")  # the table that overflowed, open
    assert page.locator(".provenance").get_attribute("open") is not None
    _check(page, out, "call-provenance-open", failures)
    page.goto(f"{base}/ui/calls/pbx-1960?client=default")
    _check(page, out, "call-legal-hold", failures)
    page.goto(f"{base}/ui/account")
    _check(page, out, "account", failures)
    page.goto(f"{base}/ui/account/password")
    _check(page, out, "password", failures)
    assert page.goto(f"{base}/ui/calls/no-such-call").status == 404
    _check(page, out, "error-404", failures)
    assert page.goto(f"{base}/ui/privacy").status == 403
    _check(page, out, "error-403", failures)
    _logout(page)

    login(page, base, "tsv-pekka")
    page.goto(f"{base}/ui/privacy")
    _check(page, out, "privacy", failures)
    page.goto(f"{base}/ui/privacy/requests/{request_id}")
    _check(page, out, "privacy-request", failures)
    page.goto(f"{base}/ui/privacy/items")  # with items: tests/ui/test_privacy_items.py
    _check(page, out, "privacy-items", failures)
    page.goto(f"{base}/ui/calls/pbx-1970?client=default")  # restricted: privacy officers only
    _check(page, out, "call-restricted", failures)
    _logout(page)

    login(page, base, "admin-sari")
    page.goto(f"{base}/ui/users")
    _check(page, out, "users", failures)

    assert failures == []
