"""The privacy pages in real Chromium (desktop 1366x900 and phone 390x844, Finnish and English): legal hold
on the call page, request-form errors that keep the form, attaching a call by hand, the two-step erasure,
the receipt in words with its PDF, the erased-call page, and a rectification beside its turn.

Screenshots go to ``$PUHETURVA_SCREENSHOTS`` (default: the test's tmp dir).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.store.models import User
from service.store.repo_users import create_user
from service.ui.i18n import MESSAGES
from tests.service.subject_seed import OTHER, PEKKA, Person, seed_call
from tests.ui.clients import PASSWORD
from tests.ui.conftest import Served
from tests.ui.test_browser import shots

THIRD = Person(phone="+358 44 999 8888", hetu="010101-123N", email="kolmas@example.fi")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "fi": {"hold_done": "Puhelu asetettiin lakisääteiseen säilytykseen.", "hold_bad": "Syyssä näyttää olevan tunniste",
           "checksum": "Tunniste 2: henkilötunnuksen tarkistusmerkki ei täsmää",
           "attached": "Puhelu liitetty pyyntöön.",
           "preview": "Mitään ei ole vielä poistettu", "delete": "Poistetaan", "mention": "maininta poistetaan",
           "held": "Lakisääteinen säilytysvelvoite", "approved": "Poisto hyväksytty.",
           "art": "Tunnisteista poistettu tallenne", "erased": "poistettiin rekisteröidyn pyynnöstä",
           "corrected": "Oikaisu lisätty.", "turn2": "vuoro 2", "correction_of": "Vuoron 2 oikaisu"},
    "en": {"hold_done": "The call is now under legal hold.", "hold_bad": "The reason seems to contain an identifier",
           "checksum": "Identifier 2: the henkilötunnus check character does not match",
           "attached": "The call was attached to the request.", "preview": "Nothing has been deleted yet",
           "delete": "To be deleted", "mention": "mention removed", "held": "Legal hold",
           "approved": "The erasure was approved.", "art": "Redacted recording",
           "erased": "was erased on the data subject", "corrected": "The correction was added.",
           "turn2": "turn 2", "correction_of": "Correction of turn 2"},
}
CASES = [pytest.param(v, lang, id=f"{v}-{lang}") for v in VIEWPORTS for lang in ("fi", "en")]


@pytest.fixture
def people(served: Served) -> Served:
    """A second privacy officer (four eyes) and calls the subject index knows: Pekka's own (pbx-u1, pbx-u4),
    another caller's that mentions his number (pbx-u2), and one whose hetu the ASR misheard (pbx-u3)."""
    ctx = served.ctx
    with ctx.db.session() as s:
        first = s.query(User).filter_by(name="tsv-pekka").one()
        maija, _ = create_user(s, "tsv-maija", "privacy_officer")
        maija.password_hash = first.password_hash
        seed_call(s, ctx.blobs, "pbx-u1", PEKKA)
        seed_call(s, ctx.blobs, "pbx-u2", OTHER, mentions=(("phone", PEKKA.phone),))
        seed_call(s, ctx.blobs, "pbx-u3", THIRD)
        seed_call(s, ctx.blobs, "pbx-u4", PEKKA)
        seed_call(s, ctx.blobs, "pbx-u6", OTHER)
    return served


@pytest.fixture
def open_as(browser: Any, people: Served) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(name: str, viewport: str, lang: str) -> Any:
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="fi-FI")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{people.base_url}/ui/login?lang={lang}")
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{people.base_url}/ui/calls**")
        return page

    yield open_page
    for context in contexts:
        context.close()


def _shot(page: Any, tmp_path: Path, name: str, viewport: str, lang: str) -> None:
    page.screenshot(path=str(shots(tmp_path) / f"privacy-{name}-{viewport}-{lang}.png"), full_page=True)


@pytest.mark.parametrize(("viewport", "lang"), CASES)
def test_legal_hold_on_the_call_page(people: Served, open_as: Any, tmp_path: Path, viewport: str, lang: str
                                     ) -> None:
    w = WORDS[lang]
    base = people.base_url
    page = open_as("admin-sari", viewport, lang)
    page.goto(f"{base}/ui/calls/pbx-2001?client=default")
    page.fill("#hold-reason-input", f"asiakas {PEKKA.hetu} riitauttaa")
    page.click("#hold-submit")
    assert w["hold_bad"] in page.locator("#hold-error").inner_text()
    assert page.locator("#hold-reason-input").input_value() == "", "a reason quoting an identifier is not shown"
    page.fill("#hold-reason-input", "riita-asia 2026/117")
    page.click("#hold-submit")
    page.wait_for_url("**hold=on**")
    assert page.locator("#legal-hold .notice").inner_text() == w["hold_done"]
    assert page.locator("#hold-reason").inner_text() == "riita-asia 2026/117"
    _shot(page, tmp_path, "hold", viewport, lang)

    qa = open_as("qa-anna", viewport, lang)
    qa.goto(f"{base}/ui/calls/pbx-2001?client=default")
    assert qa.locator("#hold-reason").inner_text() == "riita-asia 2026/117", "the reason is shown to readers"
    assert qa.locator("#hold-form").count() == 0, "reviewers get no hold form"


@pytest.mark.parametrize(("viewport", "lang"), CASES)
def test_request_attach_two_step_erasure_receipt_and_erased_page(
        people: Served, open_as: Any, tmp_path: Path, viewport: str, lang: str) -> None:
    w = WORDS[lang]
    base = people.base_url
    pekka = open_as("tsv-pekka", viewport, lang)
    # pbx-u4 goes under a hold first: the erasure must keep it and say why.
    pekka.goto(f"{base}/ui/calls/pbx-u4?client=default")
    pekka.fill("#hold-reason-input", "riita-asia 2026/118")
    pekka.click("#hold-submit")
    pekka.wait_for_url("**hold=on**")

    pekka.goto(f"{base}/ui/privacy")
    pekka.select_option("#req-kind", "erasure")
    pekka.select_option("select[name=kind0]", "phone")
    pekka.fill("input[name=value0]", PEKKA.phone)
    pekka.select_option("select[name=kind1]", "hetu")
    pekka.fill("input[name=value1]", "131052-308X")
    pekka.select_option("#req-verification-method", "id_document")
    pekka.fill("#req-verification", "passi, toimipiste Itäkeskus 3.12.")
    pekka.click("form[action='/ui/privacy/requests'] button[type=submit]")
    assert w["checksum"] in pekka.locator("#form-error").inner_text()
    assert pekka.locator("#req-kind").input_value() == "erasure", "the form keeps its values"
    assert pekka.locator("input[name=value0]").input_value() == PEKKA.phone
    assert pekka.locator("input[name=value1]").input_value() == "", "the refused identifier is not shown again"
    assert pekka.locator("#req-verification").input_value() == "passi, toimipiste Itäkeskus 3.12."
    _shot(pekka, tmp_path, "form-error", viewport, lang)
    pekka.click("form[action='/ui/privacy/requests'] button[type=submit]")
    pekka.wait_for_url("**/ui/privacy/requests/*?done=1")
    request_url = pekka.url.split("?")[0]

    pekka.fill("#attach-call", "pbx-u3")
    pekka.fill("#attach-reason", "puheessa sanottu henkilötunnus kuultiin väärin")
    pekka.click("#attach-form button[type=submit]")
    pekka.wait_for_url("**attached=1")
    assert pekka.locator("p.notice").inner_text() == w["attached"]
    assert "puheessa sanottu henkilötunnus kuultiin väärin" in pekka.locator(".attached-note").inner_text()
    _shot(pekka, tmp_path, "attached", viewport, lang)

    maija = open_as("tsv-maija", viewport, lang)
    maija.goto(request_url)
    maija.click("#approve-btn")
    preview = maija.locator("#erasure-preview")
    assert w["preview"] in preview.inner_text()
    rows = {r.locator("td").first.inner_text(): r.inner_text() for r in preview.locator("tbody tr").all()}
    assert w["delete"] in rows["pbx-u1"] and w["delete"] in rows["pbx-u3"], "the attached call is erased too"
    assert w["mention"] in rows["pbx-u2"] and w["held"] in rows["pbx-u4"]
    _shot(maija, tmp_path, "preview", viewport, lang)
    tab = maija.context.new_page()
    tab.goto(f"{base}/ui/calls/pbx-u1?client=default")
    assert "pbx-u1" in tab.locator("h1").inner_text() and tab.locator(".turn").count() == 2, "nothing erased yet"
    tab.close()
    maija.click("#confirm-erasure")
    maija.wait_for_url("**approved=1")
    assert maija.locator("p.notice").inner_text() == w["approved"]
    receipt = maija.locator("#receipt").inner_text()
    assert w["art"] in receipt and w["held"] in receipt and "redacted_audio" not in receipt
    _shot(maija, tmp_path, "receipt", viewport, lang)
    with maija.expect_download() as download:
        maija.click("#receipt-pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    maija.click("#receipt a:has-text('pbx-u1')")
    assert w["erased"] in maija.locator("#erased").inner_text()
    assert maija.locator(".turn").count() == 0, "no call content"
    _shot(maija, tmp_path, "erased", viewport, lang)


@pytest.mark.parametrize(("viewport", "lang"), CASES)
def test_rectification_beside_its_turn(people: Served, open_as: Any, tmp_path: Path, viewport: str, lang: str
                                       ) -> None:
    w = WORDS[lang]
    base = people.base_url
    page = open_as("tsv-pekka", viewport, lang)
    page.goto(f"{base}/ui/privacy")
    page.select_option("#req-kind", "rectification")
    page.select_option("select[name=kind0]", "phone")
    page.fill("input[name=value0]", OTHER.phone)
    page.select_option("#req-verification-method", "strong_electronic_id")
    page.fill("#req-verification", "Suomi.fi-tunnistus, tiketti 4411")
    page.click("form[action='/ui/privacy/requests'] button[type=submit]")
    page.wait_for_url("**done=1")
    page.select_option("#fix-call", "pbx-u6")
    page.fill("#fix-turn", "2")
    page.fill("#fix-text", "Soitan laskusta, summa oli 45 euroa.")
    # The correction is redacted by the pipeline's own analyzer, whose NER model loads on first use.
    page.click("form[action$='/rectifications'] button[type=submit]", timeout=300_000)
    page.wait_for_url("**corrected=1", timeout=300_000)
    assert page.locator("p.notice").inner_text() == w["corrected"]

    page.goto(f"{base}/ui/calls/pbx-u6?client=default")
    second = page.locator("#turn-1")
    assert second.locator(".turn-no").inner_text() == w["turn2"], "turns count from 1, as in the form"
    chip = MESSAGES["chip.HETU"][0 if lang == "fi" else 1]  # chips speak the UI's language (HETU / PIC)
    assert f"Henkilötunnukseni on {chip}" in second.locator(".turn-text").inner_text(), "the turn keeps its text"
    fix = second.locator(".turn-corrections")
    assert "Soitan laskusta, summa oli 45 euroa." in fix.inner_text()
    assert w["correction_of"] in fix.inner_text() and "tsv-pekka" in fix.inner_text()
    assert page.locator("#turn-0 .turn-corrections").count() == 0
    _shot(page, tmp_path, "rectified", viewport, lang)
