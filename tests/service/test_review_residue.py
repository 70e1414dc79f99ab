"""A reported missed identifier is gone everywhere a reader or the database could find it (review #3, #22).

Reproduces the review's attack on a seeded call: the pipeline's own provenance code hashes the redacted
transcript while it still holds the missed address, a rectification copies the turn, and the FTS5 index
takes the words. After the report through the HTTP route, the unkeyed sha256 of the pre-report transcript
is nowhere (so there is nothing to brute-force), the corrections hold no identifier, and no FTS5 data block
still holds the word. The recording's plain sha256 is not shown either.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from models.audio import decode
from models.provenance import ModelInfo
from service.calls.review import NotReviewable, report_missed_identifier
from service.pipeline import Pipeline
from service.pipeline import Turn as PipelineTurn
from service.pipeline.build import options_from_settings, pipeline_options
from service.platform.config import get_settings
from service.store.db import Database
from service.store.models import Provenance, Turn, TurnCorrection
from tests.ui.seeding import DATA, MISSED, PAD_S, seed_call, stereo_call

ADDRESS_TURN = 9  # "Koivukuja kolme, nolla kaksi yksi kaksi nolla Espoo." (left unredacted by the seeding)
FTS_PIECE = b"ivukuja"  # FTS5 leaves share prefixes with the previous term; the tail is always stored


class _MissesEverything:
    """The analyzer that missed the address: finds nothing (the pipeline's digest code is what is tested)."""

    def analyze(self, text: str, word_confidence: Any = None) -> list[Any]:
        return []


@dataclass(frozen=True)
class _Label:
    label: str
    score: float
    method: str


class _Classifier:
    model_info = ModelInfo(name="puheturva-call-reason", version="test")

    def classify(self, text: str) -> list[_Label]:
        return [_Label("vikailmoitus", 0.8, "test")]

    def pii_categories(self, types: list[str]) -> list[_Label]:
        return []


def _pipeline_provenance(db: Database, call_id: uuid.UUID) -> str:
    """Store provenance computed by the pipeline's own stages over the stored turns; returns the sha256 of
    the transcript text they hashed (which still holds the missed address)."""
    with db.session() as s:
        rows = list(s.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.idx)))
        turns = [PipelineTurn(t.idx, t.speaker, t.channel, t.start_s, t.end_s, t.text, ()) for t in rows]
    pipe = Pipeline(transcriber=None, analyzer=_MissesEverything(),  # type: ignore[arg-type]
                    analyzer_info=ModelInfo(name="analyzer", version="test"), classifier=_Classifier(),
                    options=pipeline_options(options_from_settings(get_settings())))
    prov: list[Any] = []
    results, _entities = pipe.detect_and_redact(turns, prov)
    audio = decode((DATA / "call_stereo.wav").read_bytes())
    pipe.redact_audio(audio, turns, results, prov)
    full = "\n".join(r.text for r in results)
    assert MISSED in full and full == "\n".join(t.raw_text for t in turns)

    class _Result:  # what Pipeline.classify reads
        text = full
        entities: tuple[Any, ...] = ()

    pipe.classify(_Result(), prov)  # type: ignore[arg-type]
    with db.session() as s:
        for a in prov:
            s.add(Provenance(call_id=call_id, stage=a.stage, started_at=a.started_at, ended_at=a.ended_at,
                             agent=asdict(a.agent), used=dict(a.used), generated=dict(a.generated)))
    return hashlib.sha256(full.encode()).hexdigest()


def _fts_blocks_with(db: Database, piece: bytes) -> int:
    with db.session() as s:
        return sum(piece in bytes(b) for (b,) in s.execute(text("SELECT block FROM turns_fts_data")))


def test_report_leaves_no_unkeyed_digest_no_correction_and_no_fts_residue(
        isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api.app import create_app
    from service.store.repo_users import create_user

    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        ctx = client.app.state.ctx
        call_id = seed_call(ctx.db, ctx.blobs, stereo_call())
        plain = _pipeline_provenance(ctx.db, call_id)
        audio_sha = decode((DATA / "call_stereo.wav").read_bytes()).sha256
        with ctx.db.session() as s:
            turn = s.scalars(select(Turn).where(Turn.call_id == call_id, Turn.idx == ADDRESS_TURN)).one()
            s.add(TurnCorrection(call_id=call_id, turn_idx=ADDRESS_TURN, original_text=turn.text,
                                 corrected_text="Osoite on Koivukuja  kolme, 02120 Espoo.",
                                 agent={"name": "tsv", "kind": "person", "role": "privacy_officer"}))
            _user, token = create_user(s, "qa-anna", "qa_reviewer")
        auth = {"authorization": f"Bearer {token}"}
        sqlite = ctx.db.engine.dialect.name == "sqlite"
        if sqlite:
            assert _fts_blocks_with(ctx.db, FTS_PIECE) > 0, "the index held the word before the report"

        body = {"turn": ADDRESS_TURN, "start": 0, "end": len(MISSED), "type": "ADDRESS"}
        r = client.post("/ui/calls/pbx-2001/report", json=body, headers=auth)
        assert r.status_code == 200, r.text
        doc = client.get("/v1/calls/pbx-2001", headers=auth).json()
        with ctx.db.session() as s:
            prov_rows = [(p.stage, p.used, p.generated) for p in s.scalars(select(Provenance))]
            corrections = [(c.original_text, c.corrected_text) for c in s.scalars(select(TurnCorrection))]
        fts_left = _fts_blocks_with(ctx.db, FTS_PIECE) if sqlite else 0

    shown = json.dumps(doc, ensure_ascii=False)
    stored = json.dumps(prov_rows, ensure_ascii=False)
    assert plain not in shown and plain not in stored, "the pre-report transcript's sha256 is gone"
    assert "sha256:" not in stored.replace("hmac-sha256:", ""), "no unkeyed text digest in provenance"
    assert {"redacted_transcript"} <= {k for _s, _u, g in prov_rows for k in g}
    # The recording's plain sha256 (call row and provenance) is not shown to readers (#22).
    assert audio_sha not in shown and "a" * 64 not in shown
    assert doc["call"]["audio_digest"].startswith("hmac-sha256:")
    # Corrections: both texts redacted where the identifier stood, in whatever spacing.
    assert doc["corrections"] and len(corrections) == 1
    for original, corrected in corrections:
        for t in (original, corrected):
            assert "Koivukuja" not in t and "[OSOITE]" in t, t
    assert "Koivukuja" not in shown
    assert fts_left == 0, "an FTS5 segment still holds the reported word"


def test_a_call_under_legal_hold_is_not_rewritten(isolated_settings: Path, db: Database, tmp_path: Path
                                                  ) -> None:
    from service.platform.blobstore import LocalBlobStore
    from service.platform.crypto import Cipher

    blobs = LocalBlobStore(tmp_path / "blobs", Cipher(b"k" * 32))
    call_id = seed_call(db, blobs, stereo_call(legal_hold=True))
    with db.session() as s, pytest.raises(NotReviewable) as err:
        report_missed_identifier(s, blobs, call_id, turn_idx=ADDRESS_TURN, start=0, end=len(MISSED),
                                 entity_type="ADDRESS", reviewer="qa-anna", role="qa_reviewer", pad_s=PAD_S)
    assert err.value.code == "legal_hold"
    with db.session() as s:
        assert s.scalars(select(Turn.text).where(Turn.call_id == call_id, Turn.idx == ADDRESS_TURN)
                         ).one().startswith(MISSED)


def test_the_report_route_refuses_a_call_under_legal_hold(isolated_settings: Path, db_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api.app import create_app
    from service.store.repo_users import create_user

    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), workers=False)) as client:
        ctx = client.app.state.ctx
        seed_call(ctx.db, ctx.blobs, stereo_call(legal_hold=True))
        with ctx.db.session() as s:
            _user, token = create_user(s, "qa-anna", "qa_reviewer")
        body = {"turn": ADDRESS_TURN, "start": 0, "end": len(MISSED), "type": "ADDRESS"}
        r = client.post("/ui/calls/pbx-2001/report", json=body, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 409 and r.json()["error"] == "legal_hold", r.text
