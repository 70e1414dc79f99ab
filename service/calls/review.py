"""A QA reviewer reports an identifier the pipeline missed: redact it in the turn text and in the audio.

The reviewer selects characters of one stored (already redacted) turn. The selection is widened to whole
words, because a half-redacted word still says most of an identifier. Then, in one transaction:

- the range in the turn text becomes a typed placeholder (``[OSOITE]``); later entity offsets and word
  offsets of that turn shift by the length difference, and the covered words become one redacted word;
- an ``Entity`` row (recognizer ``human_reviewer``) records where the placeholder sits, never the value;
- the redacted audio is re-redacted over the time of those words, padded like the pipeline pads, and
  written back under the same blob key with the artefact's sha256 and size updated;
- a provenance row (agent kind ``person``) and an audit entry record who did it;
- corrections of the call (``turn_corrections``, both texts) lose the identifier too, in any spacing;
- the FTS5 index is merged so no old segment keeps its words (``service.store.search.purge_residue``).

The selected text is never logged, hashed or stored anywhere: after the commit it exists nowhere. Digests
of turn and transcript text are keyed (``service.platform.digests``): a plain sha256 of text that held the
identifier could be inverted by enumeration once the placeholder shows where it stood and what type it was.
A call under legal hold (manual or by policy) is evidence and is not rewritten.

The WAV is read here as exact 16-bit PCM rather than through the general decoder: FFmpeg scales by 1/32768
and ``encode_wav`` by 32767, so a decode/encode round trip would nudge every loud sample by one step. Read
as ``int16 / 32767``, samples outside the redacted ranges come back bit-identical.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import wave
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from models.audio import encode_wav
from models.provenance import utcnow
from redaction.audio import merge_ranges, redact_samples
from redaction.entities import SPECS, label
from service.platform.blobstore import BlobStore
from service.platform.digests import current_key, text_digest
from service.platform.errors import Conflict, Invalid
from service.privacy import audit
from service.privacy.register import category_for_entity, get_register
from service.store.kinds import ArtefactKind, CallStatus
from service.store.models import Artefact, Call, Entity, Provenance
from service.store.repo_artefacts import live_artefact
from service.store.repo_turns import corrections_of_call, entities_of_turn, turn_at, turn_texts
from service.store.search import purge_residue

REVIEW_STAGE = "review:missed_identifier"
HUMAN_RECOGNIZER = "human_reviewer"
AUDIT_ACTION = "review.missed_identifier"


class ReviewError(Invalid):
    """A report that cannot be applied; ``code`` is stable for the API, the message PII-free.

    A wrong report is ``Invalid`` (422); one the call's state refuses is a ``Conflict`` (409)."""

    code = "invalid_report"


class InvalidSelection(ReviewError):
    code = "invalid_selection"


class OverlapsRedaction(Conflict, ReviewError):
    code = "overlaps_redaction"


class UnknownEntityType(ReviewError):
    code = "unknown_type"


class NotReviewable(ReviewError):
    code = "not_reviewable"


class UnderLegalHold(Conflict, NotReviewable):
    """The call is evidence (legal hold, manual or by policy): its text and audio stay as they are."""

    code = "legal_hold"


@dataclass(frozen=True)
class ReviewOutcome:
    entity_id: int
    turn: int
    start: int  # placeholder offsets in the new turn text
    end: int
    placeholder: str
    audio_ranges: tuple[tuple[float, float], ...]  # seconds re-redacted (empty: no audio or no word times)


def reportable_types() -> list[str]:
    """Entity types the register names, in the order of the placeholder labels (then alphabetical)."""
    types = {t for c in get_register().data_categories.values() for t in c.entity_types}
    order = list(SPECS)
    return sorted(types, key=lambda t: (order.index(t) if t in order else len(order), t))


def report_missed_identifier(
    session: Session, blobs: BlobStore, call_id: uuid.UUID, *, turn_idx: int, start: int, end: int,
    entity_type: str, reviewer: str, role: str, pad_s: float, mode: str = "tone", now: datetime | None = None,
    digest_key: bytes | None = None,
) -> ReviewOutcome:
    """Apply the report in the caller's transaction (commit afterwards). See the module docstring.

    ``digest_key``: the provenance digest key (default: the running service's, ``service.platform.digests``).
    """
    started = now or utcnow()
    if entity_type not in reportable_types():
        raise UnknownEntityType("unknown identifier type")
    call = session.get(Call, call_id, with_for_update=True, populate_existing=True)
    turn = turn_at(session, call_id, turn_idx)
    if call is None or turn is None or call.status != CallStatus.DONE:
        raise NotReviewable("no such turn in a processed call")
    if call.legal_hold or any(a.legal_hold for a in call.artefacts if a.deleted_at is None):
        raise UnderLegalHold("the call is under legal hold; it cannot be changed until the hold is lifted")
    entities = entities_of_turn(session, call_id, turn_idx)
    words = [dict(w) for w in turn.words or []]
    s, e, covered = widen_to_words(turn.text, words, start, end)
    if any(ent.start < e and s < ent.end for ent in entities) or any(w.get("redacted") for w in covered):
        raise OverlapsRedaction("the selection overlaps an existing redaction")

    placeholder = f"[{label(entity_type)}]"
    _redact_corrections(session, call_id, turn.text[s:e], placeholder)
    delta = len(placeholder) - (e - s)
    times = [(float(w["start"]), float(w["end"])) for w in covered] or [(turn.start_s, turn.end_s)]
    t_start, t_end = min(a for a, _ in times), max(b for _, b in times)
    turn.text = turn.text[:s] + placeholder + turn.text[e:]
    turn.words = _rewrite_words(words, covered, s, e, placeholder, delta, t_start, t_end)
    for ent in entities:
        if ent.start >= e:
            ent.start, ent.end = ent.start + delta, ent.end + delta
    entity = Entity(call_id=call_id, turn_idx=turn_idx, type=entity_type, start=s, end=s + len(placeholder),
                    t_start=t_start, t_end=t_end, score=1.0, recognizer=HUMAN_RECOGNIZER,
                    operator="placeholder", category=category_for_entity(entity_type),
                    explanation={"recognizer": HUMAN_RECOGNIZER})
    session.add(entity)
    session.flush()

    ranges = merge_ranges([(max(0.0, a - pad_s), b + pad_s) for a, b in times])
    art, used, generated = _redact_audio(session, blobs, call_id, ranges, mode)
    key = current_key() if digest_key is None else digest_key
    texts = turn_texts(session, call_id)
    generated |= {"entity": str(entity.id), "redacted_turn": text_digest(turn.text, key),
                  "redacted_transcript": text_digest("\n".join(texts), key)}
    session.add(Provenance(call_id=call_id, artefact_id=art.id if art else None, stage=REVIEW_STAGE,
                           started_at=started, ended_at=utcnow(),
                           agent={"name": reviewer, "kind": "person", "role": role}, used=used,
                           generated=generated))
    audit.record(session, reviewer, role, AUDIT_ACTION, "call", str(call_id),
                 {"turn": turn_idx, "type": entity_type, "entity_id": entity.id,
                  "audio_rewritten": art is not None}, now=now)
    session.flush()
    purge_residue(session)
    return ReviewOutcome(entity_id=entity.id, turn=turn_idx, start=s, end=s + len(placeholder),
                         placeholder=placeholder, audio_ranges=tuple(ranges) if art else ())


def _redact_corrections(session: Session, call_id: uuid.UUID, value: str, placeholder: str) -> None:
    """Replace ``value`` in every correction of the call (original and corrected text) by the placeholder.

    The corrected text was typed by a person and redacted by the analyzer that missed the value, so it may
    hold it in other spacing or case ("Koivukuja  kolme", "koivukujakolme"): its letters and digits are
    matched with any separators between them, widened to whole words.
    """
    chars = [c for c in value if c.isalnum()]
    if not chars:
        return
    pattern = re.compile(r"\w*" + r"[\W_]*".join(re.escape(c) for c in chars) + r"\w*", re.IGNORECASE)
    for corr in corrections_of_call(session, call_id):
        original, corrected = pattern.sub(placeholder, corr.original_text), \
            pattern.sub(placeholder, corr.corrected_text)
        if (original, corrected) != (corr.original_text, corr.corrected_text):
            corr.original_text, corr.corrected_text = original, corrected


def widen_to_words(text: str, words: list[dict[str, Any]], start: int, end: int
                   ) -> tuple[int, int, list[dict[str, Any]]]:
    """The selection widened to the words it touches: ``(start, end, covered words)``.

    A turn without word offsets keeps the selection, trimmed of surrounding whitespace.
    """
    if not (0 <= start < end <= len(text)):
        raise InvalidSelection("the selection is outside the turn")
    if not words:
        s = start + len(text[start:end]) - len(text[start:end].lstrip())
        e = end - len(text[start:end]) + len(text[start:end].rstrip())
        if e <= s:
            raise InvalidSelection("the selection holds no text")
        return s, e, []
    covered = [w for w in words if int(w["char_start"]) < end and start < int(w["char_end"])]
    if not covered:
        raise InvalidSelection("the selection holds no words")
    return min(int(w["char_start"]) for w in covered), max(int(w["char_end"]) for w in covered), covered


def _rewrite_words(words: list[dict[str, Any]], covered: list[dict[str, Any]], s: int, e: int,
                   placeholder: str, delta: int, t_start: float, t_end: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inserted = False
    for w in words:
        if any(w is c for c in covered):
            if not inserted:
                out.append({"start": t_start, "end": t_end, "text": placeholder, "char_start": s,
                            "char_end": s + len(placeholder), "redacted": True})
                inserted = True
        elif int(w["char_start"]) >= e:
            out.append(w | {"char_start": int(w["char_start"]) + delta,
                            "char_end": int(w["char_end"]) + delta})
        else:
            out.append(w)
    return out


def _redact_audio(session: Session, blobs: BlobStore, call_id: uuid.UUID, ranges: list[tuple[float, float]],
                  mode: str) -> tuple[Artefact | None, dict[str, str], dict[str, str]]:
    """Re-redact the stored redacted audio in place; ``(artefact or None, used, generated)``.

    The blob is written before the caller commits: should the commit fail, the audio is more redacted than
    the rows say, which is the safe side of that race.
    """
    art = live_artefact(session, call_id, ArtefactKind.REDACTED_AUDIO)
    if art is None or not art.blob_key or not ranges:
        return None, {}, {}
    before = blobs.get(art.blob_key)
    samples, sr = read_pcm16_wav(before)
    duration = samples.shape[-1] / sr
    clipped = [(a, min(b, duration)) for a, b in ranges if a < duration]
    after = encode_wav(redact_samples(samples, sr, clipped, mode=mode), sr)  # type: ignore[arg-type]
    blobs.put(art.blob_key, after)
    art.sha256, art.size = hashlib.sha256(after).hexdigest(), len(after)
    return art, {"redacted_audio": hashlib.sha256(before).hexdigest()}, {"redacted_audio": art.sha256}


def read_pcm16_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Planar float32 samples ``(channels, n)`` of a 16-bit PCM WAV, scaled as ``encode_wav`` scales."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() != 2:
                raise NotReviewable("the redacted audio is not 16-bit PCM")
            channels, sr = w.getnchannels(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise NotReviewable("the redacted audio is not a WAV file") from exc
    pcm = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).T
    return pcm.astype(np.float32) / 32767.0, sr
