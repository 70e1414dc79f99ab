"""The QA reviewer's workbench in real Chromium against a real uvicorn server, at desktop (1366x900) and
phone (390x844) width, in Finnish and English: conversation measures on the call page, marking a call
reviewed and unmarking it, filling in the scorecard, reporting a chip as "not an identifier", and the list's
reviewed column and filters (interruptions, silence share, reviewed) with a bad number refused in the
page's language. Screenshots go to ``$PUHETURVA_SCREENSHOTS`` or the test's tmp dir."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.calls.qa_review import mark_reviewed
from service.store.models import AuditEntry, RedactionReport
from service.ui.i18n import MESSAGES
from tests.ui.conftest import Served, login
from tests.ui.qa_seed import add_measures

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TEXT = {
    "fi": {"analytics": "Keskustelun mittarit", "reviewed": "Tarkastettu", "not_reviewed": "Ei vielä tarkastettu.",
           "agent": "Asiakaspalvelija", "flagged": "Ilmoitettu: ei tunniste", "bad": "Keskeytysten on oltava",
           "question": "Tervehtikö asiakaspalvelija"},
    "en": {"analytics": "Conversation measures", "reviewed": "Reviewed", "not_reviewed": "Not reviewed yet.",
           "agent": "Agent", "flagged": "Reported: not an identifier", "bad": "Interruptions must be",
           "question": "Did the agent greet"},
}
CASES = [pytest.param((v, lang), id=f"{v}-{lang}") for v in VIEWPORTS for lang in TEXT]


def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("PUHETURVA_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def sized(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    viewport, lang = request.param
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="fi-FI" if lang == "fi" else "en-GB")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.case, pg.lang = f"{viewport}-{lang}", lang  # what the test names its screenshots and reads
    try:
        yield pg
    finally:
        context.close()


def call_ids(page: Any) -> list[str]:
    return page.locator("table.calls a.call-link").all_inner_texts()


def fits(page: Any, selector: str) -> None:
    """The element lies inside the viewport's width (nothing cut off at phone width)."""
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box, width)


@pytest.mark.parametrize("sized", CASES, indirect=True)
def test_call_page_measures_review_scorecard_and_flag(served: Served, sized: Any, tmp_path: Path) -> None:
    page, case, lang = sized, sized.case, sized.lang
    text = TEXT[lang]
    add_measures(served.ctx.db, served.calls)
    login(page, served.base_url, "qa-anna")
    page.goto(f"{served.base_url}/ui/calls/pbx-2001?client=default&lang={lang}")

    # 1. conversation measures: a row per speaker, silence below
    card = page.locator("#qa-analytics")
    expect(card.locator("h2")).to_have_text(text["analytics"])
    assert card.locator("tbody tr").count() == 2
    expect(card.locator("tr[data-speaker=agent] th")).to_have_text(text["agent"])
    expect(card.locator("tr[data-speaker=customer] td.interruptions")).to_have_text("0")
    expect(card.locator("tr[data-speaker=agent] td.wpm")).to_have_text("88")
    fits(page, "#qa-analytics")

    # 2. reviewed: mark with a comment, see who and when, then unmark
    expect(page.locator(".qa-not-reviewed")).to_have_text(text["not_reviewed"])
    page.fill("#qa-comment", "Selkeä puhelu / clear call")
    page.click("#qa-mark")
    expect(page.locator(".qa-reviewed .badge-reviewed")).to_contain_text(text["reviewed"])
    expect(page.locator(".qa-reviewed")).to_contain_text("qa-anna")
    expect(page.locator(".qa-comment")).to_have_text("Selkeä puhelu / clear call")
    fits(page, "#qa-review")

    # 3. scorecard: answer, save, the weighted score appears and the answers stay checked
    form = page.locator("#qa-scorecard-form")
    expect(form.locator("#qq-greeting legend")).to_contain_text(text["question"])
    for qid, value in (("greeting", "yes"), ("identity", "no"), ("resolution", "4"), ("closing", "na")):
        form.locator(f"input[name=q_{qid}][value='{value}']").check()
    page.click("#qa-score-submit")
    expect(page.locator("#qa-score-value")).to_have_text("52.5")
    expect(page.locator("input[name=q_resolution][value='4']")).to_be_checked()

    # 4. a chip reported as not an identifier: shown on the chip and in the list; nothing unredacted
    item = page.locator("#qa-flags li.qa-flag-item").filter(has=page.locator(".chip-HETU")).first
    turn, start = item.get_attribute("data-turn"), item.get_attribute("data-s")
    item.locator("select[name=reason]").select_option("public_information")
    item.locator("button[type=submit]").click()
    flagged = page.locator(f"#turn-{turn} .chip[data-s='{start}']")
    expect(flagged).to_have_class(re.compile(r"chip-flagged"))
    expect(flagged).to_have_text(MESSAGES["chip.HETU"][0 if lang == "fi" else 1])  # chips speak the UI's language
    expect(page.locator(f"#qa-flags li[data-turn='{turn}'][data-s='{start}'] .qa-flagged")).to_contain_text(
        text["flagged"])
    page.screenshot(path=str(shots(tmp_path) / f"qa-call-{case}.png"), full_page=True)

    page.click("#qa-unmark")
    expect(page.locator(".qa-not-reviewed")).to_have_text(text["not_reviewed"])
    with served.ctx.db.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))
                   if a.action.startswith("review.")]
        assert actions == ["review.mark", "review.scorecard", "review.over_redaction", "review.unmark"]
        assert s.scalars(select(RedactionReport)).one().reason == "public_information"


@pytest.mark.parametrize("sized", CASES, indirect=True)
def test_list_reviewed_column_and_filters(served: Served, sized: Any, tmp_path: Path) -> None:
    page, case, lang = sized, sized.case, sized.lang
    add_measures(served.ctx.db, served.calls)
    with served.ctx.db.session() as s:
        mark_reviewed(s, served.calls["pbx-1985"], reviewer="qa-anna", role="qa_reviewer", comment=None)
    login(page, served.base_url, "tsv-pekka")  # a privacy officer sees the marks too (and restricted calls)
    page.goto(f"{served.base_url}/ui/calls?lang={lang}")
    row = page.locator("table.calls tr").filter(has=page.locator("a.call-link", has_text="pbx-1985"))
    expect(row.locator("td.reviewed")).to_contain_text(TEXT[lang]["reviewed"])
    submit = page.locator("form.filters button[type=submit]")

    page.fill("#interruptions", "3")
    submit.click()
    assert call_ids(page) == ["pbx-1990", "pbx-1970"]
    page.fill("#interruptions", "")
    page.fill("#silence", "12,5")
    submit.click()
    assert call_ids(page) == ["pbx-1990", "pbx-1985", "pbx-1970"]
    page.select_option("#reviewed", "yes")
    submit.click()
    assert call_ids(page) == ["pbx-1985"]
    page.select_option("#reviewed", "no")
    page.fill("#silence", "")
    submit.click()
    assert call_ids(page) == ["pbx-2001", "pbx-1990", "pbx-1970", "pbx-1960"]
    page.screenshot(path=str(shots(tmp_path) / f"qa-list-{case}.png"), full_page=True)

    page.fill("#interruptions", "paljon")
    with page.expect_response(lambda r: "/ui/calls?" in r.url) as answer:
        submit.click()
    assert answer.value.status == 422
    expect(page.locator("#bad-number")).to_contain_text(TEXT[lang]["bad"])
    expect(page.locator("#interruptions")).to_have_value("paljon")
    expect(page.locator("#reviewed")).to_have_value("no")
    fits(page, "#bad-number")


def test_an_admin_sees_the_marks_but_no_forms(served: Served, browser: Any) -> None:
    with served.ctx.db.session() as s:
        mark_reviewed(s, served.calls["pbx-2001"], reviewer="qa-anna", role="qa_reviewer", comment="ok")
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="fi-FI")
    page = context.new_page()
    try:
        login(page, served.base_url, "admin-sari")
        page.goto(f"{served.base_url}/ui/calls/pbx-2001?client=default")
        expect(page.locator(".qa-reviewed")).to_contain_text("qa-anna")
        assert page.locator("#qa-review-form").count() == 0 and page.locator(".qa-flag-form").count() == 0
        assert page.locator("#qa-score-submit").count() == 0
    finally:
        context.close()
