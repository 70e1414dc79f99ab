"""Reporting a missed identifier: the turn text, word and entity offsets, the re-redacted audio (changed in
the range, bit-identical elsewhere), provenance, audit — and the selected text stored nowhere."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.audio import decode, encode_wav
from redaction.audio import sample_bounds
from service.calls.review import (
    HUMAN_RECOGNIZER,
    REVIEW_STAGE,
    InvalidSelection,
    OverlapsRedaction,
    UnknownEntityType,
    read_pcm16_wav,
    report_missed_identifier,
)
from service.platform.blobstore import LocalBlobStore
from service.platform.config import get_settings
from service.platform.crypto import Cipher
from service.store.db import Database
from service.store.models import Artefact, AuditEntry, Entity, Provenance, Turn
from tests.ui.seeding import MISSED, PAD_S, seed_call, stereo_call

ADDRESS_TURN = 9  # "Koivukuja kolme, nolla kaksi yksi kaksi nolla Espoo." (left unredacted by the seeding)


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", Cipher(os.urandom(32)))


@pytest.fixture
def call_id(isolated_settings: Path, db: Database, blobs: LocalBlobStore) -> uuid.UUID:
    return seed_call(db, blobs, stereo_call())


def report(db: Database, blobs: LocalBlobStore, call_id: uuid.UUID, turn: int, start: int, end: int,
           etype: str = "ADDRESS") -> Any:
    with db.session() as s:
        return report_missed_identifier(s, blobs, call_id, turn_idx=turn, start=start, end=end,
                                        entity_type=etype, reviewer="qa-anna", role="qa_reviewer",
                                        pad_s=PAD_S)


def turn_text(db: Database, call_id: uuid.UUID, idx: int) -> str:
    with db.session() as s:
        return s.scalars(select(Turn.text).where(Turn.call_id == call_id, Turn.idx == idx)).one()


def assert_offsets_consistent(db: Database, call_id: uuid.UUID) -> None:
    """Every word shows the text at its offsets; every entity's offsets hold a placeholder."""
    with db.session() as s:
        turns = {t.idx: t for t in s.scalars(select(Turn).where(Turn.call_id == call_id))}
        for t in turns.values():
            for w in t.words:
                assert t.text[w["char_start"]:w["char_end"]] == w["text"], (t.idx, w)
        for e in s.scalars(select(Entity).where(Entity.call_id == call_id)):
            shown = turns[e.turn_idx].text[e.start:e.end]
            assert shown.startswith("[") and shown.endswith("]"), (e.turn_idx, shown)


def audio(db: Database, blobs: LocalBlobStore, call_id: uuid.UUID) -> tuple[bytes, Artefact]:
    with db.session() as s:
        art = s.scalars(select(Artefact).where(Artefact.call_id == call_id,
                                               Artefact.kind == "redacted_audio")).one()
    return blobs.get(art.blob_key), art


def test_later_entities_and_words_shift_and_a_partial_word_widens(db: Database, blobs: LocalBlobStore,
                                                                  call_id: uuid.UUID) -> None:
    text = turn_text(db, call_id, ADDRESS_TURN)
    assert text == "Koivukuja kolme, nolla kaksi yksi kaksi nolla Espoo."
    espoo = text.index("Espoo")
    first = report(db, blobs, call_id, ADDRESS_TURN, espoo, espoo + 5)  # "Espoo" (the word is "Espoo.")
    assert turn_text(db, call_id, ADDRESS_TURN) == "Koivukuja kolme, nolla kaksi yksi kaksi nolla [OSOITE]"
    assert (first.start, first.end, first.placeholder) == (espoo, espoo + 8, "[OSOITE]")

    second = report(db, blobs, call_id, ADDRESS_TURN, 2, 12)  # "ivukuja ko": widened to two whole words
    assert turn_text(db, call_id, ADDRESS_TURN) == "[OSOITE] nolla kaksi yksi kaksi nolla [OSOITE]"
    assert (second.start, second.end) == (0, 8)
    with db.session() as s:
        ents = sorted((e.start, e.end, e.type, e.recognizer, e.category) for e in s.scalars(
            select(Entity).where(Entity.call_id == call_id, Entity.turn_idx == ADDRESS_TURN)))
        words = s.scalars(select(Turn.words).where(Turn.call_id == call_id, Turn.idx == ADDRESS_TURN)).one()
    shift = len("[OSOITE]") - len("Koivukuja kolme,")
    assert ents == [(0, 8, "ADDRESS", HUMAN_RECOGNIZER, "perustiedot"),
                    (espoo + shift, espoo + shift + 8, "ADDRESS", HUMAN_RECOGNIZER, "perustiedot")]
    assert [w["text"] for w in words] == ["[OSOITE]", "nolla", "kaksi", "yksi", "kaksi", "nolla", "[OSOITE]"]
    assert words[0]["redacted"] and words[-1]["redacted"]
    assert_offsets_consistent(db, call_id)


def test_entities_of_a_turn_after_the_report_shift_too(db: Database, blobs: LocalBlobStore,
                                                       call_id: uuid.UUID) -> None:
    assert turn_text(db, call_id, 3) == "Nimeni on [HENKILÖ]."
    report(db, blobs, call_id, 3, 0, 6, "CUSTOMER_NUMBER")  # the point: the PERSON entity after it shifts
    assert turn_text(db, call_id, 3) == "[ASIAKASNUMERO] on [HENKILÖ]."
    assert_offsets_consistent(db, call_id)


def test_audio_changes_in_the_padded_range_only(db: Database, blobs: LocalBlobStore,
                                                call_id: uuid.UUID) -> None:
    before_wav, before_art = audio(db, blobs, call_id)
    with db.session() as s:
        words = s.scalars(select(Turn.words).where(Turn.call_id == call_id, Turn.idx == ADDRESS_TURN)).one()
    t0, t1 = words[0]["start"], words[1]["end"]  # "Koivukuja kolme,"
    outcome = report(db, blobs, call_id, ADDRESS_TURN, 0, len(MISSED))
    assert outcome.audio_ranges == ((pytest.approx(t0 - PAD_S), pytest.approx(t1 + PAD_S)),)

    after_wav, after_art = audio(db, blobs, call_id)
    before, sr = read_pcm16_wav(before_wav)
    after, _ = read_pcm16_wav(after_wav)
    i, j = sample_bounds(t0 - PAD_S, t1 + PAD_S, sr, before.shape[-1])
    assert before.shape == after.shape and before.shape[0] == 2
    pcm_before, pcm_after = np.round(before * 32767), np.round(after * 32767)
    assert np.array_equal(pcm_before[:, :i], pcm_after[:, :i]), "audio before the range is bit-identical"
    assert np.array_equal(pcm_before[:, j:], pcm_after[:, j:]), "audio after the range is bit-identical"
    assert np.mean(pcm_before[:, i:j] != pcm_after[:, i:j]) > 0.9, "the range was replaced (both channels)"
    assert after_wav[:44] == before_wav[:44], "same WAV layout"
    assert after_art.sha256 == hashlib.sha256(after_wav).hexdigest() != before_art.sha256
    assert after_art.size == len(after_wav) and after_art.blob_key == before_art.blob_key

    with db.session() as s:
        prov = s.scalars(select(Provenance).where(Provenance.stage == REVIEW_STAGE)).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "review.missed_identifier")).one()
    assert prov.agent == {"name": "qa-anna", "kind": "person", "role": "qa_reviewer"}
    assert prov.artefact_id == after_art.id
    assert prov.used == {"redacted_audio": before_art.sha256}
    assert prov.generated["redacted_audio"] == after_art.sha256
    assert (entry.actor, entry.object_id) == ("qa-anna", str(call_id))
    assert entry.detail["type"] == "ADDRESS" and entry.detail["audio_rewritten"] is True


def test_refusals_change_nothing(db: Database, blobs: LocalBlobStore, call_id: uuid.UUID) -> None:
    before = turn_text(db, call_id, 5), audio(db, blobs, call_id)[0]
    with pytest.raises(OverlapsRedaction):
        report(db, blobs, call_id, 5, 0, 3)  # "[HETU]." — already a placeholder
    with pytest.raises(InvalidSelection):
        report(db, blobs, call_id, 5, 3, 999)
    with pytest.raises(InvalidSelection):
        report(db, blobs, call_id, ADDRESS_TURN, 9, 10)  # the space between two words
    with pytest.raises(UnknownEntityType):
        report(db, blobs, call_id, ADDRESS_TURN, 0, 9, "SHOE_SIZE")
    assert (turn_text(db, call_id, 5), audio(db, blobs, call_id)[0]) == before


def test_selected_text_is_stored_and_logged_nowhere(isolated_settings: Path, db_url: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Through the HTTP route with a personal token (scripts may report too; bearer needs no CSRF)."""
    from service.api.app import create_app
    from service.store.repo_users import create_user

    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(get_settings(), workers=False)) as client:
        ctx = client.app.state.ctx
        call_id = seed_call(ctx.db, ctx.blobs, stereo_call())
        with ctx.db.session() as s:
            _user, token = create_user(s, "qa-anna", "qa_reviewer")
        auth = {"authorization": f"Bearer {token}"}
        body = {"turn": ADDRESS_TURN, "start": 0, "end": len(MISSED), "type": "ADDRESS"}
        r = client.post("/ui/calls/pbx-2001/report", json=body, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["placeholder"] == "[OSOITE]"
        again = client.post("/ui/calls/pbx-2001/report", json=body, headers=auth)
        assert again.status_code == 409 and again.json()["error"] == "overlaps_redaction"
        bad = client.post("/ui/calls/pbx-2001/report", json=body | {"start": 40, "end": 5}, headers=auth)
        assert bad.status_code == 422 and bad.json()["error"] == "invalid_selection"
        doc = client.get("/v1/calls/pbx-2001", headers=auth).json()
        with ctx.db.session() as s:
            rows = [_row(r) for model in (Turn, Entity, Provenance, AuditEntry, Artefact)
                    for r in s.scalars(select(model))]
    stored = json.dumps([rows, doc], ensure_ascii=False, default=str)
    for word in ("Koivukuja", "kolme,"):
        assert word not in stored
        assert word not in caplog.text
    assert call_id is not None


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def test_pcm_reader_round_trips_exactly_where_the_general_decoder_does_not() -> None:
    rng = np.random.default_rng(7)
    samples = rng.uniform(-1, 1, (2, 16000)).astype(np.float32)
    wav = encode_wav(samples)
    planar, sr = read_pcm16_wav(wav)
    assert sr == 16000 and encode_wav(planar, sr) == wav
    decoded = decode(wav)
    assert encode_wav(list(decoded.channels), decoded.sample_rate) != wav, "why review.py reads PCM itself"

