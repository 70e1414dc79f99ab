"""Pipeline results: a re-run replaces (same row counts), keeps the original audio, rejects unsafe data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.provenance import Activity, ModelInfo
from service.store.models import Artefact, Classification, Entity, Provenance, Turn
from service.store.records import ArtefactRecord, ClassificationRecord, EntityRecord, TurnRecord
from service.store.repo_calls import get_call_view
from service.store.repo_results import UnsafeExplanation, replace_call_results
from tests.service.conftest import NOW, tag

MODELS = (Turn, Entity, Classification, Provenance, Artefact)


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0) for m in MODELS)


def _results(call_id, *, with_raw: bool = True) -> dict:
    turns = [TurnRecord(0, "agent", 0, 0.0, 2.5, "Hyvää päivää, täällä <PERSON>."),
             TurnRecord(1, "customer", 1, 2.6, 6.0, "Numeroni on <PHONE>.", ({"start": 3.0, "end": 3.4,
                                                                                "text": "Numeroni"},))]
    entities = [EntityRecord(0, "PERSON", 21, 29, 0.85, "person", "perustiedot", 1.2, 1.8, "placeholder",
                             {"recognizer": "person", "original_score": 0.85}),
                EntityRecord(1, "PHONE", 12, 19, 0.99, "phone", "perustiedot", 4.0, 5.5, "placeholder",
                             {"recognizer": "phone", "validation": True})]
    until = NOW + timedelta(days=365)
    arts = [ArtefactRecord("redacted_transcript", "analyysitiedot", "tekoaly",
                           tag("redacted_transcript", until),
                           blob_key=f"calls/{call_id}/redacted_transcript"),
            ArtefactRecord("redacted_audio", "puhelutallenteet", "tekoaly", tag("redacted_audio", until),
                           blob_key=f"calls/{call_id}/redacted_audio"),
            ArtefactRecord("classification", "analyysitiedot", "tekoaly", tag("classifications", until))]
    if with_raw:
        arts.append(ArtefactRecord("raw_transcript", "analyysitiedot", "tekoaly", tag("raw_transcript", NOW),
                                   blob_key=f"calls/{call_id}/raw_transcript"))
    agent = ModelInfo(name="whisper-base", version="1", sha256="f" * 64)
    prov = [Activity("transcribe", NOW, NOW, agent, used={"audio": "a" * 64},
                     generated={"raw_transcript": "1"}),
            Activity("redact_audio", NOW, NOW, agent, generated={"redacted_audio": "2"})]
    classes = [ClassificationRecord("call_reason", "reklamaatio", "lexicon", 0.8),
               ClassificationRecord("pii_categories", "perustiedot", "rule")]
    return {"turns": turns, "entities": entities, "classifications": classes, "provenance": prov,
            "artefacts": arts}


def test_rerun_replaces_instead_of_duplicating(session: Session, make_call) -> None:
    call_id = make_call(session)
    first = replace_call_results(session, call_id, **_results(call_id), now=NOW)
    session.commit()
    counts = _counts(session)
    assert counts == (2, 2, 2, 2, 5)  # 4 derived artefacts + original audio
    second = replace_call_results(session, call_id, **_results(call_id, with_raw=False), now=NOW)
    session.commit()
    assert _counts(session) == (2, 2, 2, 2, 4)
    assert second.orphaned_blob_keys == [f"calls/{call_id}/raw_transcript"]
    assert set(first.artefact_ids) - set(second.artefact_ids) == {"raw_transcript"}
    replace_call_results(session, call_id, **_results(call_id, with_raw=False), now=NOW)
    session.commit()
    assert _counts(session) == (2, 2, 2, 2, 4)


def test_view_links_and_keeps_original_audio(session: Session, make_call) -> None:
    call_id = make_call(session)
    out = replace_call_results(session, call_id, **_results(call_id), now=NOW)
    session.commit()
    view = get_call_view(session, call_id)
    assert [t.text for t in view.turns][1] == "Numeroni on <PHONE>."
    assert view.turns[1].words[0]["text"] == "Numeroni"
    assert {a.kind for a in view.artefacts} >= {"original_audio", "redacted_audio"}
    by_stage = {p.stage: p for p in view.provenance}
    assert by_stage["redact_audio"].artefact_id == out.artefact_ids["redacted_audio"]
    assert by_stage["transcribe"].agent["sha256"] == "f" * 64
    assert {c.artefact_id for c in view.classifications} == {out.artefact_ids["classification"]}
    assert view.entities[1].type == "PHONE" and view.entities[1].t_start == 4.0


def test_explanation_with_a_value_is_refused(session: Session, make_call) -> None:
    call_id = make_call(session)
    bad = _results(call_id)
    bad["entities"] = [EntityRecord(0, "HETU", 0, 6, 1.0, "hetu", "perustiedot",
                                    explanation={"recognizer": "hetu", "text": "131052-308T"})]
    with pytest.raises(UnsafeExplanation) as err:
        replace_call_results(session, call_id, **bad)
    assert "131052" not in str(err.value)


def test_legal_hold_of_call_passes_to_new_artefacts(session: Session, make_call) -> None:
    from service.store.models import Call

    call_id = make_call(session)
    session.get(Call, call_id).legal_hold = True
    replace_call_results(session, call_id, **_results(call_id), now=NOW)
    session.commit()
    derived = session.scalars(select(Artefact).where(Artefact.kind != "original_audio")).all()
    assert derived and all(a.legal_hold for a in derived)
