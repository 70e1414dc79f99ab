"""The QA workbench's records on real SQLite and PostgreSQL: the reviewed mark, the scorecard, "not an
identifier" reports (audited, with provenance, changing nothing), their /metrics counts, the list filters
over conversation measures, and a bad scorecard file stopping the start."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.calls import scorecard as scorecard_module
from service.calls.qa_review import (
    COMMENT_MAX,
    AlreadyReported,
    CommentTooLong,
    NoSuchRedaction,
    UnknownReason,
    mark_reviewed,
    over_redactions,
    report_over_redaction,
    review_mark,
    unmark_reviewed,
)
from service.calls.scorecard import InvalidAnswers, ScorecardError, get_scorecard, save_answers, saved_answers
from service.calls.views import call_document
from service.platform.blobstore import LocalBlobStore
from service.platform.config import get_settings
from service.platform.crypto import Cipher
from service.store.db import Database
from service.store.models import AuditEntry, Entity, Provenance, Turn
from tests.ui.clients import app_with_data, browser_login, page_csrf
from tests.ui.qa_seed import add_measures
from tests.ui.seeding import seed_call, stereo_call


@pytest.fixture(autouse=True)
def _fresh_scorecard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PUHETURVA_SCORECARD", raising=False)
    scorecard_module._cached.cache_clear()
    yield
    scorecard_module._cached.cache_clear()


@pytest.fixture
def call_id(isolated_settings: Path, db: Database, tmp_path: Path) -> uuid.UUID:
    return seed_call(db, LocalBlobStore(tmp_path / "blobs", Cipher(os.urandom(32))), stereo_call())


def audit_actions(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.session() as s:
        return [(a.action, a.detail) for a in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))
                if a.action.startswith("review.")]


def test_mark_and_unmark_reviewed_is_stored_and_audited(db: Database, call_id: uuid.UUID) -> None:
    with db.session() as s:
        assert review_mark(s, call_id) is None
        mark_reviewed(s, call_id, reviewer="qa-anna", role="qa_reviewer", comment="  Hyvä puhelu, selkeä.  ")
    with db.session() as s:
        mark = review_mark(s, call_id)
        assert mark is not None and (mark.reviewer, mark.comment) == ("qa-anna", "Hyvä puhelu, selkeä.")
        with pytest.raises(CommentTooLong):
            mark_reviewed(s, call_id, reviewer="qa-anna", role="qa_reviewer", comment="x" * (COMMENT_MAX + 1))
    with db.session() as s:
        assert unmark_reviewed(s, call_id, reviewer="qa-anna", role="qa_reviewer") is True
    with db.session() as s:
        assert review_mark(s, call_id) is None
    actions = audit_actions(db)
    assert actions == [("review.mark", {"comment": True}), ("review.unmark", {"was_marked": True})]
    assert "Hyvä" not in str(actions), "the comment itself stays out of the audit log"


def test_scorecard_weighted_score_is_stored_and_audited(db: Database, call_id: uuid.UUID) -> None:
    card = get_scorecard()
    assert [q.id for q in card.questions] == ["greeting", "identity", "resolution", "closing"]
    form = {"q_greeting": "yes", "q_identity": "no", "q_resolution": "4", "q_closing": "na"}
    answers = card.parse(form)
    # (1·1 + 3·0 + 4·0.8) / (1 + 3 + 4); closing is n/a and left out
    assert card.score(answers) == 52.5
    assert card.score({"greeting": "na", "identity": "na", "resolution": "5", "closing": "na"}) == 100.0
    with pytest.raises(InvalidAnswers) as bad:
        card.parse({"q_greeting": "maybe", "q_resolution": "6"})
    assert bad.value.questions == ["greeting", "identity", "resolution", "closing"]
    with db.session() as s:
        save_answers(s, call_id, card, answers, reviewer="qa-anna", role="qa_reviewer")
    with db.session() as s:
        saved = saved_answers(s, call_id)
    assert saved is not None and (saved.score, saved.answers, saved.scorecard) == (52.5, answers,
                                                                                   "asiakaspalvelu@1")
    assert audit_actions(db) == [("review.scorecard", {"scorecard": "asiakaspalvelu@1", "score": 52.5,
                                                       "answered": 4})]


def test_over_redaction_report_changes_nothing_and_keeps_provenance(db: Database, call_id: uuid.UUID) -> None:
    with db.session() as s:
        hetu = s.scalars(select(Entity).where(Entity.call_id == call_id, Entity.type == "HETU")).first()
        turn_before = s.scalars(select(Turn.text).where(Turn.call_id == call_id, Turn.idx == hetu.turn_idx)).one()
        spot = (hetu.turn_idx, hetu.start)
    with db.session() as s:
        report = report_over_redaction(s, call_id, turn_idx=spot[0], start=spot[1], reason="public_information",
                                       reviewer="qa-anna", role="qa_reviewer")
    assert (report.turn, report.start, report.type, report.reason) == (*spot, "HETU", "public_information")
    with db.session() as s:
        assert s.scalars(select(Turn.text).where(Turn.call_id == call_id, Turn.idx == spot[0])).one() == turn_before
        assert s.scalars(select(Entity).where(Entity.call_id == call_id, Entity.turn_idx == spot[0],
                                              Entity.start == spot[1])).one().type == "HETU", "still redacted"
        prov = s.scalars(select(Provenance).where(Provenance.call_id == call_id,
                                                  Provenance.stage == "review:over_redaction")).one()
        assert prov.agent == {"name": "qa-anna", "kind": "person", "role": "qa_reviewer"}
        assert [(r.turn, r.start) for r in over_redactions(s, call_id)] == [spot]
        with pytest.raises(AlreadyReported):
            report_over_redaction(s, call_id, turn_idx=spot[0], start=spot[1], reason="other",
                                  reviewer="qa-anna", role="qa_reviewer")
    with db.session() as s, pytest.raises(UnknownReason):
        report_over_redaction(s, call_id, turn_idx=spot[0], start=spot[1], reason="it was my own number",
                              reviewer="qa-anna", role="qa_reviewer")
    with db.session() as s, pytest.raises(NoSuchRedaction):
        report_over_redaction(s, call_id, turn_idx=0, start=0, reason="other", reviewer="qa-anna",
                              role="qa_reviewer")
    assert audit_actions(db) == [("review.over_redaction", {"turn": spot[0], "type": "HETU",
                                                            "reason": "public_information",
                                                            "report_id": report.id})]


def test_measures_travel_with_the_call_document(db: Database, call_id: uuid.UUID) -> None:
    add_measures(db, {"pbx-2001": call_id})
    with db.session() as s:
        doc = call_document(s, call_id)
    measures = {(c.kind, c.label): (c.value, c.unit) for c in doc.classifications if c.value is not None}
    assert measures[("talk_time", "agent")][1] == "s" and measures[("interruptions", "customer")] == (0, "count")
    analytics = next(c for c in doc.classifications if c.kind == "wpm")
    assert analytics.provenance is not None and analytics.provenance.model == "puheturva.conversation_analytics"
    reason = next(c for c in doc.classifications if c.kind == "call_reason")
    assert reason.value is None and reason.provenance is not None
    assert reason.provenance.model != analytics.provenance.model


def _metric(client: TestClient, kind: str, etype: str) -> float:
    m = re.search(rf'puheturva_review_reports_total\{{kind="{kind}",type="{etype}"\}} ([0-9.]+)',
                  client.get("/metrics").text)
    return float(m.group(1)) if m else 0.0


def _ids(html: str) -> list[str]:
    return re.findall(r'class="call-link" href="[^"]*">([^<]+)</a>', html)


def test_http_forms_metrics_and_list_filters(isolated_settings: Path, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch) as (client, _tokens):
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        with ctx.db.session() as s:
            from service.store.models import Call
            calls = {c.external_id: c.id for c in s.scalars(select(Call))}
        add_measures(ctx.db, calls)
        assert browser_login(client, "qa-anna").status_code == 303
        csrf = page_csrf(client)
        url = "/ui/calls/pbx-2001"

        page = client.get(url + "?client=default")
        assert 'id="qa-analytics"' in page.text and "Keskustelun mittarit" in page.text
        too_long = client.post(url + "/reviewed?client=default", data={"csrf": csrf, "comment": "y" * 501})
        assert too_long.status_code == 422 and "Kommentti on liian pitkä" in too_long.text
        assert "y" * 501 in too_long.text, "the form keeps what was typed"
        done = client.post(url + "/reviewed?client=default", data={"csrf": csrf, "comment": "ok"})
        assert done.status_code == 303 and done.headers["location"].endswith("#qa-review")
        assert client.post(url + "/reviewed?client=default", data={"comment": "no csrf"}).status_code == 403

        bad_score = client.post(url + "/scorecard?client=default&lang=en",
                                data={"csrf": csrf, "q_greeting": "yes"})
        assert bad_score.status_code == 422 and "Answer every question" in bad_score.text
        with ctx.db.session() as s:
            hetu = s.scalars(select(Entity).where(Entity.call_id == calls["pbx-2001"], Entity.type == "HETU")).first()
            spot = {"turn": str(hetu.turn_idx), "start": str(hetu.start)}
        before = _metric(client, "over_redaction", "HETU")
        flagged = client.post(url + "/over-redaction?client=default", data={"csrf": csrf, "reason": "other", **spot})
        assert flagged.status_code == 303
        assert _metric(client, "over_redaction", "HETU") == before + 1
        again = client.post(url + "/over-redaction?client=default", data={"csrf": csrf, "reason": "other", **spot})
        assert again.status_code == 409 and "already reported" in again.text  # the language cookie says en
        assert _metric(client, "over_redaction", "HETU") == before + 1, "a refused report is not counted"
        missed_before = _metric(client, "missed", "ADDRESS")
        turn9 = client.get("/v1/calls/pbx-2001", headers={"Authorization": f"Bearer {_tokens['qa-anna']}"}).json()
        text = next(t["text"] for t in turn9["turns"] if t["turn"] == 9)
        start = text.index("Koivukuja")
        missed = client.post(url + "/report?client=default", headers={"X-CSRF-Token": csrf},
                             json={"turn": 9, "start": start, "end": start + len("Koivukuja kolme"),
                                   "type": "ADDRESS"})
        assert missed.status_code == 200, missed.text
        assert _metric(client, "missed", "ADDRESS") == missed_before + 1

        assert _ids(client.get("/ui/calls?reviewed=yes").text) == ["pbx-2001"]
        assert _ids(client.get("/ui/calls?reviewed=no").text) == ["pbx-1990", "pbx-1985", "pbx-1960"]
        assert _ids(client.get("/ui/calls?interruptions=2").text) == ["pbx-1990"]
        assert _ids(client.get("/ui/calls?silence=12,5").text) == ["pbx-1990", "pbx-1985"]
        bad = client.get("/ui/calls?interruptions=kolme&lang=en")
        assert bad.status_code == 422 and "Interruptions must be a whole number" in bad.text
        assert 'value="kolme"' in bad.text
        assert "✓" in client.get("/ui/calls?reviewed=yes").text


def test_officers_and_admins_see_but_do_not_mark(isolated_settings: Path, db_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch) as (client, _tokens):
        assert browser_login(client, "qa-anna").status_code == 303
        csrf = page_csrf(client)
        client.post("/ui/calls/pbx-2001/reviewed?client=default", data={"csrf": csrf, "comment": "tarkistettu"})
        client.get("/ui/logout")
        client.cookies.clear()
        for name in ("admin-sari", "tsv-pekka"):
            assert browser_login(client, name).status_code == 303
            page = client.get("/ui/calls/pbx-2001?client=default")
            assert "tarkistettu" in page.text and "qa-anna" in page.text
            assert 'id="qa-review-form"' not in page.text
            refused = client.post("/ui/calls/pbx-2001/reviewed?client=default",
                                  data={"csrf": page_csrf(client), "action": "unmark"})
            assert refused.status_code == 403
            client.cookies.clear()


def test_a_bad_scorecard_stops_the_start(isolated_settings: Path, tmp_path: Path, db_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "scorecard.yaml"
    bad.write_text("id: qa\nversion: 1\ntitle: {fi: A, en: A}\nquestions:\n"
                   "  - {id: greeting, text: {fi: a, en: a}, weight: -1, answer: yes_no_na}\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_SCORECARD", str(bad))
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with pytest.raises(ScorecardError, match=r"scorecard\.yaml: questions\.0\.weight"), \
            TestClient(create_app(get_settings(), workers=False)):
        pass
    bad.write_text("questions: [", encoding="utf-8")
    scorecard_module._cached.cache_clear()
    with pytest.raises(ScorecardError, match="cannot read scorecard"):
        get_scorecard()
