"""The privacy officer's request pages (``/ui/privacy``) through the real app: forms with CSRF, receipts,
the export download; identifier values never come back in a page."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.platform.config import get_settings
from service.store.repo_users import create_user, set_password
from tests.service.subject_seed import OTHER, PEKKA, seed_call
from tests.ui.clients import browser_login

PASSWORD = "oikein-pitkä-salasana-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def ui(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False), follow_redirects=False) as client:
        ctx = client.app.state.ctx
        with ctx.db.session() as s:
            for name, role in (("tsv-pekka", "privacy_officer"), ("tsv-maija", "privacy_officer"),
                               ("qa-anna", "qa_reviewer")):
                create_user(s, name, role)
                set_password(s, name, PASSWORD)
            seed_call(s, ctx.blobs, "pbx-u1", PEKKA)
            seed_call(s, ctx.blobs, "pbx-u2", OTHER, mentions=(("phone", PEKKA.phone),))
        yield client


def _form(ui: TestClient, **fields: str) -> dict[str, str]:
    page = ui.get("/ui/privacy")
    assert page.status_code == 200, page.text
    return {"csrf": CSRF.search(page.text).group(1), "verification_method": "id_document",
            "verification": "Passi toimipisteessä", **fields}


def test_officer_makes_an_access_request_and_downloads_the_export(ui: TestClient) -> None:
    assert browser_login(ui, "tsv-pekka", PASSWORD).status_code == 303
    home = ui.get("/ui/privacy")
    assert "<h1>Tietosuoja</h1>" in home.text and "Uusi rekisteröidyn pyyntö" in home.text

    r = ui.post("/ui/privacy/requests", data=_form(ui, kind="access", kind0="hetu", value0=PEKKA.hetu,
                                                   kind1="phone", value1=PEKKA.phone))
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/privacy/requests/")
    page = ui.get(r.headers["location"])
    # pbx-u2 is the other caller's call, where Pekka's number was only said: listed as such (review #4).
    assert page.status_code == 200 and "pbx-u1" in page.text and "pbx-u2" in page.text
    assert "Henkilön oma puhelu" in page.text and "Vain mainittu (toisen puhelu)" in page.text
    assert "Henkilöllisyystodistus" in page.text
    # the number in any spelling; not a bare "765", which a random hex token on the page may contain
    assert PEKKA.hetu not in page.text and not any(f in page.text for f in ("765 1234", "7651234", "765-1234"))
    link = re.search(r'action="(/ui/privacy/requests/[^"]+/export)"', page.text).group(1)
    # Review #20: the export writes a receipt and an audit entry, so it is a CSRF-checked POST: a cross-site
    # link (GET with the Lax cookie) or a form without the token exports nothing.
    assert ui.get(link).status_code == 405
    assert ui.post(link, data={}).status_code == 403
    assert "Luovutetut vastaukset" not in ui.get(r.headers["location"]).text
    z = zipfile.ZipFile(io.BytesIO(ui.post(link, data={"csrf": CSRF.search(page.text).group(1)}).content))
    calls = json.loads(z.read("manifest.json"))["calls"]
    assert [(c["call_id"], c["match"]) for c in calls] == [("pbx-u1", "party"), ("pbx-u2", "mention")]
    assert calls[1]["turns"] == [] and z.namelist().count("calls/pbx-u2/redacted.wav") == 0
    assert "Luovutetut vastaukset" in ui.get(r.headers["location"]).text, "the export is on the receipt"
    assert "Tarkastus ja siirto" in ui.get("/ui/privacy").text, "listed among recent requests"


def test_refused_request_does_not_echo_the_identifier_and_csrf_is_checked(ui: TestClient) -> None:
    browser_login(ui, "tsv-pekka", PASSWORD)
    r = ui.post("/ui/privacy/requests", data=_form(ui, kind="erasure", kind0="hetu", value0="131052-308X"))
    assert r.status_code == 422 and "tarkistusmerkki ei täsmää" in r.text and "131052" not in r.text
    r = ui.post("/ui/privacy/requests", data={**_form(ui, kind="erasure", kind0="hetu", value0=PEKKA.hetu),
                                              "csrf": "forged"})
    assert r.status_code == 403
    assert "pbx-u1" in ui.get("/ui/calls/pbx-u1").text, "nothing was erased"


def test_rectification_form_and_roles(ui: TestClient) -> None:
    browser_login(ui, "tsv-pekka", PASSWORD)
    r = ui.post("/ui/privacy/requests", data=_form(ui, kind="rectification", kind0="phone", value0=PEKKA.phone))
    target = r.headers["location"].split("?")[0]
    page = ui.get(target)
    token = CSRF.search(page.text).group(1)
    bad = ui.post(f"{target}/rectifications", data={"csrf": token, "call_id": "pbx-u1", "turn": "7", "text": "x"})
    assert bad.status_code == 303 and "error=" in bad.headers["location"]
    ok = ui.post(f"{target}/rectifications", data={"csrf": token, "call_id": "pbx-u1", "turn": "1",
                                                   "text": "Lasku oli 45 euroa."})
    assert ok.status_code == 303 and ok.headers["location"].endswith("corrected=1")
    assert "Oikaisu lisätty." in ui.get(ok.headers["location"]).text

    qa = TestClient(ui.app, follow_redirects=False)
    browser_login(qa, "qa-anna", PASSWORD)
    assert qa.get("/ui/privacy").status_code == 403
    assert qa.get(target).status_code == 403


def test_erasure_needs_a_second_officer_and_keeps_the_other_callers_call(ui: TestClient) -> None:
    """Review #16 (four eyes) and #4 (a mention never erases another person's call), through the pages."""
    browser_login(ui, "tsv-pekka", PASSWORD)
    r = ui.post("/ui/privacy/requests", data=_form(ui, kind="erasure", kind0="phone", value0=PEKKA.phone))
    assert r.status_code == 303, r.text
    target = r.headers["location"].split("?")[0]
    page = ui.get(target)
    assert "Odottaa hyväksyntää" in page.text and "Odottaa toisen tietosuojavastaavan" in page.text
    assert f'action="{target}/approve"' not in page.text
    own = ui.post(f"{target}/approve", data={"csrf": CSRF.search(page.text).group(1)})
    assert own.status_code == 303 and own.headers["location"].endswith("error=err.approve")
    assert "pbx-u1" in ui.get("/ui/calls/pbx-u1").text, "nothing erased on one officer's word"

    other = TestClient(ui.app, follow_redirects=False)
    browser_login(other, "tsv-maija", PASSWORD)
    page = other.get(target)
    assert f'action="{target}/approve"' in page.text
    preview = other.post(f"{target}/approve", data={"csrf": CSRF.search(page.text).group(1)})
    assert preview.status_code == 200 and "Mitään ei ole vielä poistettu" in preview.text, "step 1: a preview"
    assert "pbx-u1" in other.get("/ui/calls/pbx-u1").text, "the preview erased nothing"
    confirm = re.search(r'name="confirm" value="([^"]+)"', preview.text).group(1)
    ok = other.post(f"{target}/approve", data={"csrf": CSRF.search(preview.text).group(1), "confirm": confirm})
    assert ok.status_code == 303 and ok.headers["location"].endswith("approved=1")
    receipt = other.get(ok.headers["location"]).text
    assert "Poisto hyväksytty." in receipt and "tsv-maija" in receipt
    assert "toisen henkilön puhelu säilytetty" in receipt
    assert other.get("/ui/calls/pbx-u1").status_code == 410, "the erased page, not a bare 404"
    assert other.get("/ui/calls/pbx-u2").status_code == 200, "the other caller's call is kept"


def test_a_pending_erasure_is_rejected_on_its_page(ui: TestClient) -> None:
    """Review #16: the request page offers a rejection with a reason; nothing is erased and the page says why."""
    browser_login(ui, "tsv-pekka", PASSWORD)
    target = ui.post("/ui/privacy/requests", data=_form(ui, kind="erasure", kind0="phone", value0=PEKKA.phone)
                     ).headers["location"].split("?")[0]
    page = ui.get(target)
    assert f'action="{target}/reject"' in page.text
    csrf = CSRF.search(page.text).group(1)
    bad = ui.post(f"{target}/reject", data={"csrf": csrf, "reason": f"hetu {PEKKA.hetu}"})
    assert bad.status_code == 303 and bad.headers["location"].endswith("error=err.reject")
    ok = ui.post(f"{target}/reject", data={"csrf": csrf, "reason": "henkilöllisyys ei varmistunut"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("rejected=1")
    page = ui.get(ok.headers["location"]).text
    assert "Poisto hylätty" in page and "Hylätty" in page and "henkilöllisyys ei varmistunut" in page
    assert f'action="{target}/approve"' not in page and PEKKA.hetu not in page
    assert "pbx-u1" in ui.get("/ui/calls/pbx-u1").text, "a rejected erasure deletes nothing"


def test_verification_needs_a_method_and_a_real_reference(ui: TestClient) -> None:
    """Review #16: "yes" is not a verification; the method comes from a fixed list."""
    browser_login(ui, "tsv-pekka", PASSWORD)
    for bad in ({"verification": "yes"}, {"verification_method": ""}, {"verification_method": "asked_nicely"},
                {"verification": f"passi, hetu {PEKKA.hetu}"}):
        r = ui.post("/ui/privacy/requests", data={**_form(ui, kind="erasure", kind0="phone",
                                                          value0=PEKKA.phone), **bad})
        assert r.status_code == 422 and "verification" in r.text and PEKKA.hetu not in r.text
    assert "pbx-u1" in ui.get("/ui/calls/pbx-u1").text
    page = ui.get("/ui/privacy", headers={"accept-language": "en"})
    assert "Strong electronic identification" in page.text
