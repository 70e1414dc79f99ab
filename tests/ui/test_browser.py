"""The QA UI in real headless Chromium against a real uvicorn server: log in, filter, search, open a call,
seek the audio from the transcript, report a missed identifier with the keyboard, and role refusals.

Screenshots of the list and the call view go to ``$PUHETURVA_SCREENSHOTS`` (default: the test's tmp dir).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.store.models import Artefact, AuditEntry, Entity, Turn
from tests.ui.conftest import Served, login
from tests.ui.seeding import MISSED


def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("PUHETURVA_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def call_ids(page: Any) -> list[str]:
    return page.locator("table.calls a.call-link").all_inner_texts()


def test_list_filters_and_search(served: Served, page: Any, tmp_path: Path) -> None:
    page.goto(f"{served.base_url}/ui/calls")
    assert "/ui/login" in page.url, "anonymous visitors are sent to the login page"
    login(page, served.base_url, "qa-anna")
    assert call_ids(page) == ["pbx-2001", "pbx-1990", "pbx-1985", "pbx-1960"], "newest first, no restricted"
    assert page.locator("h1").inner_text() == "Puhelut"
    page.screenshot(path=str(shots(tmp_path) / "calls.png"), full_page=True)

    page.select_option("#queue", "laskutus")
    page.click("text=Näytä")
    assert call_ids(page) == ["pbx-1990"]

    page.click("text=Tyhjennä")
    page.check("input[name=pii][value=HETU]")
    page.click("text=Näytä")
    assert call_ids(page) == ["pbx-2001", "pbx-1960"]

    page.click("text=Tyhjennä")
    page.select_option("#retention", "legal_hold")
    page.click("text=Näytä")
    assert call_ids(page) == ["pbx-1960"]

    page.click("text=Tyhjennä")
    page.fill("#date_from", "2026-10-01")
    page.fill("#date_to", "2026-10-31")
    page.click("text=Näytä")
    assert call_ids(page) == ["pbx-1990", "pbx-1985"]

    page.click("text=Tyhjennä")
    page.fill("#q", "kaapelivika")  # said only in the stereo call
    page.keyboard.press("Enter")
    page.wait_for_url("**q=kaapelivika**")
    assert call_ids(page) == ["pbx-2001"]

    page.click("text=In English")
    assert page.locator("h1").inner_text() == "Calls"
    assert call_ids(page) == ["pbx-2001"], "switching language keeps the filters"


def test_call_view_seek_and_report_missed_identifier(served: Served, page: Any, tmp_path: Path) -> None:
    login(page, served.base_url, "qa-anna")
    page.click("a.call-link:text('pbx-2001')")
    page.wait_for_url("**/ui/calls/pbx-2001?client=default")  # the list names the telephony client
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    assert page.locator(".turn").count() == 12
    assert page.locator("#turn-5 .chip-HETU").inner_text() == "HETU"
    assert page.locator("#wave rect.redacted").count() >= 3, "redacted ranges are shaded on the timeline"
    page.screenshot(path=str(shots(tmp_path) / "call.png"), full_page=True)

    page.click("#turn-10 .turn-text")  # "Alueella on kaapelivika ..." starts at 32.066 s
    page.wait_for_function("() => document.getElementById('player').currentTime >= 32")
    page.click("#turn-1 .w:text('yhteys')")
    t = page.evaluate("document.getElementById('player').currentTime")
    assert 4.4 < t < 8.0, f"clicking a word seeks into its turn, got {t}"

    before = _audio_bytes(served)
    # Keyboard only: Tab-focus the turn, → picks the first word, Shift+→ extends to the second.
    page.focus("#turn-9 .turn-text")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    # The key handlers update the selection asynchronously: wait for the text (Playwright retries up to 5 s).
    expect(page.locator("#sel-info")).to_have_text("vuoro 10: «Koivukuja kolme,»")
    page.select_option("#report-type", "ADDRESS")
    page.click("#report-submit")
    page.wait_for_url("**reported=1**")
    assert page.locator("#reported-notice").is_visible()
    text = page.locator("#turn-9 .turn-text").inner_text()
    assert MISSED.split()[0] not in text and text.startswith("OSOITE")
    assert page.locator("#turn-9 .chip-ADDRESS.chip-human").count() == 1
    page.screenshot(path=str(shots(tmp_path) / "call_reported.png"), full_page=True)

    with served.ctx.db.session() as s:
        turn = s.scalars(select(Turn).where(Turn.idx == 9, Turn.call_id == served.calls["pbx-2001"])).one()
        assert turn.text.startswith("[OSOITE] nolla kaksi")
        assert s.scalars(select(Entity).where(Entity.recognizer == "human_reviewer")).one().type == "ADDRESS"
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.actor == "qa-anna"))]
    assert {"auth.login", "call.list", "call.view", "call.audio", "review.missed_identifier"} <= set(actions)
    assert _audio_bytes(served) != before


def test_roles_in_the_browser(served: Served, page: Any) -> None:
    login(page, served.base_url, "qa-anna")
    assert page.locator("nav a:text('Tietosuoja')").count() == 0
    response = page.goto(f"{served.base_url}/ui/privacy")
    assert response.status == 403 and "Roolillasi ei ole pääsyä" in page.content()
    assert page.goto(f"{served.base_url}/ui/calls/pbx-1970").status == 404, "restricted call hidden from QA"
    page.click("text=Kirjaudu ulos")
    page.wait_for_url("**/ui/login?bye=1")
    assert page.goto(f"{served.base_url}/ui/calls").url.startswith(f"{served.base_url}/ui/login")

    login(page, served.base_url, "tsv-pekka")
    page.click("nav a:text('Tietosuoja')")
    assert page.locator("h1").inner_text() == "Tietosuoja"
    assert page.goto(f"{served.base_url}/ui/calls/pbx-1970").status == 200


def _audio_bytes(served: Served) -> bytes:
    with served.ctx.db.session() as s:
        key = s.scalars(select(Artefact.blob_key).where(
            Artefact.call_id == served.calls["pbx-2001"], Artefact.kind == "redacted_audio")).one()
    return served.ctx.blobs.get(key)


@pytest.fixture(autouse=True)
def _no_console_errors(page: Any) -> Any:
    """A script error or a Content-Security-Policy violation fails the test even if the assertions pass."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield
    assert errors == []


def test_admin_adds_and_disables_a_user(served: Served, page: Any, tmp_path: Path) -> None:
    login(page, served.base_url, "admin-sari")
    page.click("nav a:text('Käyttäjät')")
    page.fill("#new-name", "qa-ville")
    page.select_option("#new-role", "qa_reviewer")
    page.click("button:text('Lisää käyttäjä')")
    assert len(page.locator("#new-password").inner_text()) >= 12, "a one-time password, changed at first login"
    assert page.locator("#new-token").count() == 0, "no API token of the new user for the admin (review #7)"
    page.screenshot(path=str(shots(tmp_path) / "users.png"), full_page=True)
    page.click("button[aria-label='Poista käytöstä: qa-ville']")
    assert "qa-ville poistettu käytöstä" in page.locator(".notice").inner_text()
    assert page.locator("tr.row-disabled td").first.inner_text() == "qa-ville"
