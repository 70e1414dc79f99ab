"""What the pipeline hands out: its options, the stages it reports, and the frozen results of one call.

Kept apart from the stage code so that the job runner and the store can read these types without loading the
models (this module imports neither ``models.asr`` nor the NLP).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from models.provenance import Activity
from redaction import OperatorConfig, RedactionResult
from redaction.audio import TimedWord
from service.store.records import StoredWord

if TYPE_CHECKING:
    from service.pipeline.self_verify import Verdict


class Stage(StrEnum):
    """Where a call's processing is: what the pipeline reports through ``on_stage``, and a job's failure reason.

    Not the job state: the job row keeps a coarse ``JobState`` (``service.jobs.run`` maps a stage onto it), so
    a stage can be added or split without touching the stored vocabulary.
    """

    TRANSCRIBING = "transcribing"  # the job runner also reports loading and decoding the original as this
    REDACTING = "redacting"
    VERIFYING = "verifying"
    CLASSIFYING = "classifying"
    DETECTING_RIGHTS = "detecting_rights"  # requests said in the call (``service.pipeline.rights``)
    STORING = "storing"  # the job runner's, after the pipeline


@dataclass(frozen=True)
class Turn:
    """A run of consecutive segments of one speaker. ``raw_text`` never leaves the process unless policy allows."""

    index: int
    speaker: str
    channel: int
    start: float
    end: float
    raw_text: str
    words: tuple[TimedWord, ...]


@dataclass(frozen=True)
class RedactedWord:
    """A word of the redacted transcript, with offsets into the redacted turn text.

    A redacted word stands for a whole redacted span: its text is the replacement and it covers the span's time
    range. ``probability`` (the ASR's, two decimals) is kept only for words shown as heard.
    """

    start: float
    end: float
    text: str
    char_start: int
    char_end: int
    probability: float | None = None
    redacted: bool = False

    def to_dict(self) -> StoredWord:
        """The stored and shown form: ``p`` only for a heard word with a probability, ``redacted`` only if true."""
        out: StoredWord = {"start": self.start, "end": self.end, "text": self.text,
                               "char_start": self.char_start, "char_end": self.char_end}
        if self.probability is not None:
            out["p"] = self.probability
        if self.redacted:
            out["redacted"] = True
        return out


@dataclass(frozen=True)
class RedactedEntity:
    """An entity as it may be shown and stored: offsets into the redacted turn text, times, no raw value."""

    turn: int
    type: str
    start: int
    end: int
    t_start: float | None
    t_end: float | None
    score: float
    recognizer: str
    operator: str
    explanation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "type": self.type, "start": self.start, "end": self.end,
                "t_start": self.t_start, "t_end": self.t_end, "score": self.score,
                "recognizer": self.recognizer, "operator": self.operator}


@dataclass(frozen=True)
class RedactedTurn:
    index: int
    speaker: str
    channel: int
    start: float
    end: float
    text: str
    words: tuple[RedactedWord, ...]


@dataclass(frozen=True)
class Classification:
    """One label of the call: its reason (``call_reason``), a category of the personal data it held, or a
    measure of the conversation (``service.pipeline.analytics``: ``talk_time``, ``silence``, ``interruptions``,
    ``wpm`` …) whose ``value`` is a number in ``unit`` and whose ``label`` names the speaker it is about."""

    kind: str  # call_reason | pii_category | talk_time | silence | silence_share | interruptions | wpm
    label: str
    score: float
    method: str
    value: float | None = None  # a measure's number (None for a label)
    unit: str | None = None  # s | % | count | wpm

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "label": self.label, "score": self.score, "method": self.method}
        if self.value is not None:
            out |= {"value": self.value, "unit": self.unit}
        return out


@dataclass(frozen=True)
class RightsItem:
    """A request said in the call (a data-subject right or a direct-marketing choice) with its evidence.

    Read from the redacted customer turns: ``cues`` are the words that made the detector decide, never an
    identifier (they come from redacted text). It becomes a pending item for the privacy officer: nothing is
    acted on before a person confirms it.
    """

    kind: str  # access | erasure | rectification | restriction | portability | objection | marketing_*
    channel: str | None  # phone | sms | email | post for marketing choices; None otherwise or unsaid
    turn: int
    start: float
    end: float
    cues: tuple[str, ...]
    score: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "channel": self.channel, "turn": self.turn, "start": self.start,
                "end": self.end, "cues": list(self.cues), "score": self.score, "method": self.method}


@dataclass(frozen=True)
class ProcessResult:
    """Everything one call produced. Raw turns and results stay in memory; only policy decides what is stored.

    ``redacted_ranges`` stays a list: it is the value ``redaction.audio.merge_ranges`` returns.
    """

    audio_sha256: str
    duration: float
    n_channels: int
    turns: tuple[RedactedTurn, ...]
    entities: tuple[RedactedEntity, ...]
    redacted_audio_wav: bytes
    redacted_ranges: list[tuple[float, float]]
    classifications: tuple[Classification, ...] = ()
    analytics: tuple[Classification, ...] = ()  # conversation measures (``service.pipeline.analytics``)
    provenance: tuple[Activity, ...] = ()
    raw_turns: tuple[Turn, ...] = ()  # kept in memory; stored only if policy says so
    raw_results: tuple[RedactionResult, ...] = ()
    self_verify: Verdict | None = None  # None: self-verification was off
    rights_items: tuple[RightsItem, ...] = ()  # empty also when the detector is switched off

    def detected_values(self) -> list[tuple[str, str]]:
        """``(entity type, raw text)`` of every detected span, for the keyed subject index only.

        Raw values exist here in memory for the duration of a job; they are never logged or stored in clear.
        """
        return [(sp.type, turn.raw_text[sp.start:sp.end])
                for turn, res in zip(self.raw_turns, self.raw_results, strict=True) for sp in res.spans]

    @property
    def text(self) -> str:
        return "\n".join(t.text for t in self.turns)

    def transcript_json(self) -> dict[str, Any]:
        """The redacted transcript document (``transcript.json``): safe to show to a QA reviewer."""
        return {
            "audio_sha256": self.audio_sha256,
            "duration": round(self.duration, 3),
            "channels": self.n_channels,
            "text": self.text,
            "segments": [
                {"turn": t.index, "speaker": t.speaker, "channel": t.channel, "start": t.start, "end": t.end,
                 "text": t.text, "words": [w.to_dict() for w in t.words]}
                for t in self.turns
            ],
            "entities": [e.to_dict() for e in self.entities],
            "redacted_audio_ranges": [[round(a, 3), round(b, 3)] for a, b in self.redacted_ranges],
            "classifications": [c.to_dict() for c in (*self.classifications, *self.analytics)],
            "rights_items": [r.to_dict() for r in self.rights_items],
            "provenance": [a.to_prov() for a in self.provenance],
        }


@dataclass(frozen=True)
class PipelineOptions:
    """``raw_digest_key`` keys the digests of text and audio in provenance: a plain sha256 of a turn like
    "numero on 040…" is reversed by enumerating the few unknown digits, a keyed HMAC is not. That holds for
    the redacted transcript too while it still holds a missed identifier (see ``service.platform.digests``).

    ``low_confidence_redaction`` passes the ASR's word probabilities to the analyzer (its low-confidence
    policy reads them; the policy's threshold is the analyzer's own, set by ``service.pipeline.build``).
    ``self_verify`` (auto | on | off), ``self_verify_budget`` and ``self_verify_margin_s``: see
    ``service.pipeline.self_verify``.
    """

    audio_mode: Literal["tone", "silence"] = "tone"
    pad_s: float = 0.2
    operators: OperatorConfig | None = None
    raw_digest_key: bytes = b""
    low_confidence_redaction: bool = True
    self_verify: str = "auto"
    self_verify_budget: float = 0.3
    self_verify_margin_s: float = 1.5

    def __post_init__(self) -> None:
        # Imported here: ``service.pipeline.self_verify`` pulls in the ASR facade, which the job runner must not load.
        from service.pipeline.self_verify import MODES as SELF_VERIFY_MODES

        if self.self_verify not in SELF_VERIFY_MODES:
            raise ValueError(f"self_verify must be one of {SELF_VERIFY_MODES}")
