"""Processed calls written straight through the store repositories, for UI, role and review tests.

Running the ASR takes ~30 s a call on these machines; the UI only needs what the pipeline stores. So the
turns of ``tests/data/call_stereo.wav`` (its gold transcript) are redacted here the way the pipeline
redacts them — placeholders in the text, words with times and offsets, entities, the audio bleeped over
the identifiers' words with the real ``redact_samples`` — except the address, which is left in on purpose:
it is the "missed identifier" the review tests report.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from models.audio import encode_wav
from models.provenance import Activity, ModelInfo
from redaction.audio import merge_ranges, redact_samples
from redaction.entities import label
from service.calls.review import read_pcm16_wav
from service.platform.blobstore import BlobStore, call_blob_key
from service.store.db import Database
from service.store.models import Call, Job
from service.store.records import (
    ArtefactRecord,
    CallMeta,
    ClassificationRecord,
    EntityRecord,
    ProvenanceRecord,
    RetentionTag,
    TurnRecord,
)
from service.store.repo_calls import create_call_with_job
from service.store.repo_results import replace_call_results

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))
STEREO = GOLD["call_stereo.wav"]
MISSED = "Koivukuja kolme"  # left unredacted in the seeded stereo call
PAD_S = 0.2
# Where each gold identifier sits in its turn's spoken text (the gold value is the written form).
SPOKEN = {"Matti Virtanen": "Matti Virtanen",
          "131052-308T": "Yksi kolme yksi nolla viisi kaksi viiva kolme nolla kahdeksan tee",
          "0401234567": "Nolla neljä nolla, yksi kaksi kolme, neljä viisi kuusi seitsemän",
          "150376-456D": "yksi viisi nolla kolme seitsemän kuusi viiva neljä viisi kuusi dee",
          "0507654321": "nolla viisi nolla, seitsemän kuusi viisi, neljä kolme kaksi yksi",
          "Liisa Korhonen": "Liisa Korhonen"}


@dataclass(frozen=True)
class TurnSpec:
    speaker: str
    channel: int
    start: float
    end: float
    text: str  # raw (spoken) text
    spans: tuple[tuple[str, str], ...] = ()  # (substring of text, entity type) to redact


@dataclass(frozen=True)
class CallSpec:
    external_id: str
    started_at: datetime
    queue: str = "laskutus"
    agent_id: str = "agent-7"
    reason: str = "vikailmoitus"
    reason_score: float = 0.81
    turns: tuple[TurnSpec, ...] = ()
    audio: Path | None = None
    restricted: bool = False
    legal_hold: bool = False
    retain_days: int = 90
    channels: dict[str, str] = field(default_factory=lambda: {"0": "agent", "1": "customer"})


def stereo_turns() -> tuple[TurnSpec, ...]:
    out = []
    for t in STEREO["turns"]:
        spans = tuple((SPOKEN[i["value"]], i["type"]) for i in t["identifiers"] if i["value"] in SPOKEN)
        out.append(TurnSpec("agent" if t["channel"] == 0 else "customer", t["channel"], t["start"], t["end"],
                            t["text"], spans))
    return tuple(out)


def redact_turn(idx: int, spec: TurnSpec) -> tuple[TurnRecord, list[EntityRecord]]:
    """Text, timed words and entities of one turn as the pipeline stores them (words timed by length)."""
    raw_words, pos = [], 0
    for token in spec.text.split(" "):
        raw_words.append((token, pos, pos + len(token)))
        pos += len(token) + 1
    per_char = (spec.end - spec.start) / max(1, len(spec.text))
    spans = sorted((spec.text.index(sub), spec.text.index(sub) + len(sub), typ) for sub, typ in spec.spans)
    text, words, entities, shift, done = spec.text, [], [], 0, set()
    for s, e, typ in reversed(spans):
        text = text[:s] + f"[{label(typ)}]" + text[e:]
    for token, cs, ce in raw_words:
        t0, t1 = round(spec.start + cs * per_char, 3), round(spec.start + ce * per_char, 3)
        hit = next(((s, e, typ) for s, e, typ in spans if cs < e and s < ce), None)
        if hit is None:
            words.append({"start": t0, "end": t1, "text": token, "char_start": cs + shift,
                          "char_end": ce + shift})
            continue
        s, e, typ = hit
        ph = f"[{label(typ)}]"
        if hit not in done:
            done.add(hit)
            words.append({"start": t0, "end": t1, "text": ph, "char_start": s + shift,
                          "char_end": s + shift + len(ph), "redacted": True})
            entities.append([typ, s + shift, s + shift + len(ph), t0, t1])
            shift += len(ph) - (e - s)
        else:
            words[-1]["end"] = t1
            entities[-1][4] = t1
    ents = [EntityRecord(turn_idx=idx, type=typ, start=a, end=b, score=0.97, recognizer=typ.lower(),
                         category="perustiedot", t_start=t0, t_end=t1, operator="placeholder",
                         explanation={"recognizer": typ.lower(), "validation": True})
            for typ, a, b, t0, t1 in entities]
    return TurnRecord(idx, spec.speaker, spec.channel, spec.start, spec.end, text, tuple(words)), ents


def redacted_wav(path: Path, entities: list[EntityRecord]) -> bytes:
    samples, sr = read_pcm16_wav(path.read_bytes())
    ranges = merge_ranges([(max(0.0, e.t_start - PAD_S), e.t_end + PAD_S) for e in entities
                           if e.t_start is not None and e.t_end is not None])
    return encode_wav(redact_samples(samples, sr, ranges), sr)


def _tag(policy: str, until: datetime, hold: bool) -> RetentionTag:
    return RetentionTag(policy=policy, purpose="laadunvarmistus", legal_basis="oikeutettu_etu",
                        retain_until=until, legal_hold=hold)


def seed_call(db: Database, blobs: BlobStore, spec: CallSpec, now: datetime | None = None) -> uuid.UUID:
    """Write one processed call (status done) with its redacted results; returns the call's uuid."""
    now = now or datetime.now(UTC)
    records = [redact_turn(i, t) for i, t in enumerate(spec.turns)]
    turns = [r[0] for r in records]
    entities = [e for r in records for e in r[1]]
    until = now + timedelta(days=spec.retain_days)
    call_id = uuid.uuid4()
    arts = [ArtefactRecord(k, "analyysitiedot", "tekoaly", _tag(k, until, spec.legal_hold))
            for k in ("redacted_transcript", "entities", "classification")]
    if spec.audio is not None:
        wav = redacted_wav(spec.audio, entities)
        key = call_blob_key(call_id, "redacted_audio")
        blobs.put(key, wav)
        arts.append(ArtefactRecord("redacted_audio", "puhelutallenteet", "tekoaly",
                                   _tag("redacted_audio", until, spec.legal_hold), blob_key=key,
                                   sha256=hashlib.sha256(wav).hexdigest(), size=len(wav),
                                   content_type="audio/wav"))
    classes = [ClassificationRecord("call_reason", spec.reason, "tfidf-logreg", spec.reason_score)]
    classes += [ClassificationRecord("pii_category", "perustiedot", "register", 1.0)] if entities else []
    model = ModelInfo(name="puheturva-call-reason", version="2026.11", sha256="c" * 64)
    prov = [ProvenanceRecord(Activity("classify", now, now, model, used={"redacted_transcript": "0" * 64},
                                      generated={"classifications": "1" * 64}), "classification")]
    with db.session() as s:
        created = create_call_with_job(
            s, client="default", external_id=spec.external_id, audio_sha256="a" * 64, call_id=call_id,
            meta=CallMeta(started_at=spec.started_at, direction="inbound", queue=spec.queue,
                          agent_id=spec.agent_id, channels=spec.channels,
                          duration_s=max((t.end for t in spec.turns), default=0.0)), now=now)
        replace_call_results(s, call_id, turns=turns, entities=entities, classifications=classes,
                             provenance=prov, artefacts=arts, now=now)
        call = s.get(Call, created.call.id)
        call.status, call.restricted, call.legal_hold = "done", spec.restricted, spec.legal_hold
        for job in s.query(Job).filter(Job.call_id == call_id):
            job.state = "done"
    return call_id


def stereo_call(external_id: str = "pbx-2001", **kw: Any) -> CallSpec:
    kw.setdefault("started_at", datetime(2026, 11, 2, 7, 15, tzinfo=UTC))
    return CallSpec(external_id=external_id, turns=stereo_turns(), audio=DATA / "call_stereo.wav", **kw)


def clip_call(external_id: str, name: str, **kw: Any) -> CallSpec:
    """A one-turn mono call from a test clip (its gold text), with its identifiers redacted."""
    gold = GOLD[name]
    text = gold["text"]
    spans = tuple((SPOKEN[i["value"]], i["type"]) for i in gold["identifiers"])
    turn = TurnSpec("customer", 0, 0.2, gold["duration"] - 0.2, text, spans)
    kw.setdefault("started_at", datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    return CallSpec(external_id=external_id, turns=(turn,), audio=DATA / name, channels={"0": "customer"},
                    **kw)


def seed_demo_set(db: Database, blobs: BlobStore) -> dict[str, uuid.UUID]:
    """A small varied set: the stereo call, two mono calls, a restricted one and one under legal hold."""
    specs = [
        stereo_call("pbx-2001", queue="tekninen-tuki", agent_id="agent-7", reason="vikailmoitus"),
        clip_call("pbx-1990", "name.wav", queue="laskutus", agent_id="agent-3", reason="laskutus",
                  reason_score=0.74),
        clip_call("pbx-1985", "clean.wav", queue="tekninen-tuki", agent_id="agent-3", reason="tekninen_tuki",
                  started_at=datetime(2026, 10, 1, 9, 30, tzinfo=UTC), retain_days=10),
        clip_call("pbx-1970", "phone.wav", queue="laskutus", agent_id="agent-9", reason="reklamaatio",
                  started_at=datetime(2026, 9, 15, 8, 0, tzinfo=UTC), restricted=True),
        clip_call("pbx-1960", "hetu.wav", queue="myynti", agent_id="agent-9", reason="tilaus",
                  started_at=datetime(2026, 9, 1, 8, 0, tzinfo=UTC), legal_hold=True, retain_days=5),
    ]
    return {s.external_id: seed_call(db, blobs, s) for s in specs}
