"""The privacy officer's queue of requests said in calls, in headless Chromium at desktop and phone width,
in Finnish and English: evidence shown, a marketing prohibition confirmed, an access request rejected."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.provenance import utcnow
from models.rights_requests import RightsDetector
from service.jobs.persist import rights_item_record
from service.store.models import AuditEntry, MarketingChoice
from service.store.repo_rights import replace_rights_items
from tests.service.fake_pipeline import fake_pipeline, stereo_audio
from tests.service.test_rights_items import SCRIPT
from tests.ui.conftest import Served, login

TEXTS = {
    "fi": {"link": "Puheluissa esitetyt pyynnöt odottavat vahvistusta", "access": "Tarkastus",
           "prohibition": "Suoramarkkinointikielto (puhelin)", "confirm": "Vahvista", "reject": "Hylkää",
           "confirmed": "Pyyntö vahvistettu.", "rejected": "Pyyntö hylätty.", "none": "Ei odottavia pyyntöjä."},
    "en": {"link": "Requests made in calls waiting for review", "access": "Access",
           "prohibition": "Direct-marketing prohibition (phone)", "confirm": "Confirm", "reject": "Reject",
           "confirmed": "The request was confirmed.", "rejected": "The request was rejected.",
           "none": "No requests waiting."},
}


def _queue_items(served: Served) -> None:
    """A demo call's items as the job's store step writes them, from the real pipeline stage and detector."""
    result = fake_pipeline(script=SCRIPT, rights_detector=RightsDetector.from_default()).process(stereo_audio())
    with served.ctx.db.session() as s:
        replace_rights_items(s, served.calls["pbx-2001"], [rights_item_record(r) for r in result.rights_items],
                             utcnow())
        s.commit()


@pytest.mark.parametrize(("lang", "width"), [("fi", 1440), ("en", 390)])
def test_the_queue_page(served: Served, browser: Any, lang: str, width: int) -> None:
    _queue_items(served)
    text = TEXTS[lang]
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  locale="fi-FI" if lang == "fi" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, served.base_url, "tsv-pekka")
        page.goto(f"{served.base_url}/ui/privacy")
        page.click(f"a:text('{text['link']}')")
        page.wait_for_url("**/ui/privacy/items")
        cards = page.locator(".item-card")
        assert cards.count() == 2
        access, prohibition = cards.nth(0), cards.nth(1)
        assert text["access"] in access.locator("h3").text_content()
        assert text["prohibition"] in prohibition.locator("h3").text_content()
        assert access.locator("a[href*='/ui/calls/pbx-2001']").get_attribute("href").endswith("#turn-1")
        assert access.locator(".cues").inner_text().strip()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the queue scrolls sideways at {width} px"

        prohibition.locator(f"button:text('{text['confirm']}')").click()
        page.wait_for_url("**/ui/privacy/items?done=confirmed")
        assert text["confirmed"] in page.locator("[role=status]").inner_text()
        assert page.locator(".item-card").count() == 1
        page.fill(".item-card input[name=reason]", "asiakas kysyi vain yleisesti")
        page.locator(f".item-card button:text('{text['reject']}')").click()
        page.wait_for_url("**/ui/privacy/items?done=rejected")
        assert text["none"] in page.content()
    finally:
        context.close()
    assert errors == []
    with served.ctx.db.session() as s:
        assert [(c.choice, c.channel, c.verified_by) for c in s.scalars(select(MarketingChoice))] == [
            ("prohibit", "phone", "tsv-pekka")]
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("rights.%")))]
    assert actions == ["rights.item_confirmed", "rights.item_rejected"]
