"""Self-hosted API docs, labels in the page's language, plural forms, and the state of a call still processing.

Real uvicorn, real Chromium. The docs tests abort every request that leaves loopback (as an offline site would
see it) and fail if one was even attempted: Swagger UI and ReDoc must come from this server alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.store.models import Artefact, Call
from tests.ui.conftest import Served, login
from tests.ui.test_browser import shots

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _offline(page: Any) -> list[str]:
    """Abort every request to a host other than loopback; returns the list of those that were attempted."""
    left: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            left.append(url)
            route.abort()

    page.route("**/*", handle)
    return left


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_swagger_ui_renders_offline(served: Served, page: Any, console_errors: list[str], tmp_path: Path) -> None:
    left = _offline(page)
    response = page.goto(f"{served.base_url}/docs")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    op = page.locator(".opblock-summary", has_text="/v1/calls").first
    expect(op).to_be_visible(timeout=60_000)
    op.click()  # an operation expands to its parameters and responses
    expect(page.locator(".opblock.is-open .opblock-body").first).to_be_visible()
    page.screenshot(path=str(shots(tmp_path) / "docs.png"), full_page=False)
    assert left == [], f"requests left loopback: {left}"
    assert console_errors == []


def test_redoc_renders_offline(served: Served, page: Any, console_errors: list[str], tmp_path: Path) -> None:
    left = _offline(page)
    assert page.goto(f"{served.base_url}/redoc").status == 200
    # ReDoc lays out the whole schema in the page before it shows anything: on a busy CI machine that takes a
    # while, so wait longer than the default (this is patience, not a speed check).
    expect(page.locator("h1", has_text="Puheturva").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("/v1/calls", exact=False).first).to_be_attached()
    page.screenshot(path=str(shots(tmp_path) / "redoc.png"), full_page=False)
    assert left == [], f"requests left loopback: {left}"
    # ReDoc's "API docs by Redocly" badge points at cdn.redoc.ly; the docs' CSP stops it in the browser, so it
    # never reaches the network (``left`` above). Any other error fails.
    blocked_badge = [e for e in console_errors if "cdn.redoc.ly" in e and "Content Security Policy" in e]
    assert [e for e in console_errors if e not in blocked_badge] == []


@pytest.mark.parametrize(("lang", "hetu_chip", "legal_basis", "recognizer"), [
    ("fi", "HETU", "Oikeutettu etu", "Henkilötunnuksen tunnistin"),
    ("en", "PIC", "Legitimate interest", "Personal identity code recogniser"),
])
def test_call_page_labels_in_the_page_language(served: Served, page: Any, tmp_path: Path, lang: str,
                                               hetu_chip: str, legal_basis: str, recognizer: str) -> None:
    login(page, served.base_url, "qa-anna")
    page.goto(f"{served.base_url}/ui/calls/pbx-2001?client=default&lang={lang}")
    assert page.locator("#turn-5 .chip-HETU").inner_text() == hetu_chip
    assert page.locator(".entities .chip-HETU").first.inner_text() == hetu_chip
    hetu_row = page.locator(".entities li", has=page.locator(".chip-HETU")).first
    assert hetu_row.locator(".recognizer").inner_text() == recognizer
    assert hetu_row.locator(".recognizer").get_attribute("title") == "hetu", "the id stays as a title"
    side = page.locator(".call-side").inner_text()
    assert legal_basis in side and "oikeutettu_etu" not in side and "redacted_audio" not in side
    page.screenshot(path=str(shots(tmp_path) / f"call-labels-{lang}.png"), full_page=True)

    page.goto(f"{served.base_url}/ui/calls?lang={lang}")
    chips = page.locator("table.calls .chip-HETU").first
    assert chips.inner_text() == hetu_chip
    assert page.locator("input[name=pii][value=NUMBER]").count() == 1, "every type a row can show is a filter"
    count = page.locator("#result-count").inner_text()
    assert count == ("4 puhelua" if lang == "fi" else "4 calls")
    page.select_option("#queue", "laskutus")  # one call in that queue
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**queue=laskutus**")
    assert page.locator("#result-count").inner_text() == ("1 puhelu" if lang == "fi" else "1 call")


def _make_processing(served: Served, external_id: str) -> None:
    """The call as it is between the webhook and the worker: no redacted audio yet, and the raw audio's
    retention (kept only until processed) already due."""
    now = datetime.now(UTC)
    with served.ctx.db.session() as s:
        call = s.scalars(select(Call).where(Call.external_id == external_id)).one()
        call.status = "processing"
        for art in s.scalars(select(Artefact).where(Artefact.call_id == call.id)):
            art.retain_until = now
            if art.kind == "redacted_audio":
                art.deleted_at = now
        s.commit()


@pytest.mark.parametrize(("lang", "processing", "expires"), [("fi", "käsittely kesken", "poistuu"),
                                                              ("en", "processing", "expires in")])
def test_a_call_still_processing_says_so(served: Served, page: Any, tmp_path: Path, lang: str, processing: str,
                                         expires: str) -> None:
    _make_processing(served, "pbx-1985")
    login(page, served.base_url, "qa-anna")
    page.goto(f"{served.base_url}/ui/calls?lang={lang}")
    row = page.locator("table.calls tr", has=page.locator("a.call-link", has_text="pbx-1985"))
    cell = row.locator("td.retention")
    assert cell.inner_text().strip() == processing
    assert expires not in cell.inner_text() and row.locator(".badge-expiring").count() == 0
    page.screenshot(path=str(shots(tmp_path) / f"list-processing-{lang}.png"), full_page=True)

    row.locator("a.call-link").click()
    page.wait_for_url("**/ui/calls/pbx-1985**")
    expect(page.locator("#audio-pending")).to_be_visible()
    assert page.locator("h1 .status-processing").count() == 1
    page.screenshot(path=str(shots(tmp_path) / f"call-processing-{lang}.png"), full_page=True)
