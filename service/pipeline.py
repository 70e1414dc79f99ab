"""One call recording in, a redacted transcript, its entities, redacted audio and provenance out.

The same ``Pipeline.process`` runs for the CLI (``puheturva process``), the embedded job runner and Celery
workers, so the work itself has one code path. It is pure with respect to storage: no database, no files.

Stages (each appends one provenance ``Activity``): decode → transcribe each channel → detect → redact text →
redact audio → classify.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.asr import Segment, Transcriber, Word
from models.audio import DecodedAudio, encode_wav
from models.provenance import Activity, ModelInfo, utcnow
from redaction import Analyzer, OperatorConfig, RedactionResult, Span, redact
from redaction.audio import TimedWord, merge_ranges, redact_samples, time_ranges
from service.version import code_version

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, float], None]
CONTEXT_WORDS = 6  # words of the previous turn whose cues carry into the next


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
    words: tuple[dict[str, Any], ...]


@dataclass
class ProcessResult:
    audio_sha256: str
    duration: float
    n_channels: int
    turns: list[RedactedTurn]
    entities: list[RedactedEntity]
    redacted_audio_wav: bytes
    redacted_ranges: list[tuple[float, float]]
    classifications: list[dict[str, Any]] = field(default_factory=list)
    provenance: list[Activity] = field(default_factory=list)
    raw_turns: list[Turn] = field(default_factory=list)  # kept in memory; stored only if policy says so
    raw_results: list[RedactionResult] = field(default_factory=list)

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
                 "text": t.text, "words": list(t.words)}
                for t in self.turns
            ],
            "entities": [e.to_dict() for e in self.entities],
            "redacted_audio_ranges": [[round(a, 3), round(b, 3)] for a, b in self.redacted_ranges],
            "classifications": self.classifications,
            "provenance": [a.to_prov() for a in self.provenance],
        }


@dataclass(frozen=True)
class PipelineOptions:
    """``raw_digest_key`` keys the digests of raw (unredacted) text in provenance: a plain sha256 of a turn like
    "numero on 040…" is reversed by enumerating the few unknown digits, a keyed HMAC is not."""

    audio_mode: str = "tone"  # tone | silence
    pad_s: float = 0.2
    operators: OperatorConfig | None = None
    raw_digest_key: bytes = b""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def raw_text_digest(text: str, key: bytes) -> str:
    """Digest of unredacted text for provenance: ``hmac-sha256:<hex>`` when keyed (always, in the service)."""
    if not key:
        return "sha256:" + sha256_text(text)
    return "hmac-sha256:" + hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def default_channel_map(n_channels: int, names: Mapping[int, str] | None = None) -> dict[int, str]:
    """Channel 0 = agent, 1 = customer for stereo; one ``unknown`` speaker for mono, unless told otherwise."""
    if names:
        return {int(k): v for k, v in names.items()}
    return {0: "unknown"} if n_channels == 1 else {0: "agent", 1: "customer"}


class Pipeline:
    """Runs the stages over one decoded recording. Heavy models are injected, loaded once per process."""

    def __init__(self, transcriber: Transcriber, analyzer: Analyzer, analyzer_info: ModelInfo,
                 classifier: Any | None = None, options: PipelineOptions | None = None) -> None:
        self.transcriber = transcriber
        self.analyzer = analyzer
        self.analyzer_info = analyzer_info
        self.classifier = classifier
        self.options = options or PipelineOptions()

    def process(self, audio: DecodedAudio, channel_map: Mapping[int, str] | None = None,
                progress: ProgressFn | None = None, on_stage: Callable[[str], None] | None = None
                ) -> ProcessResult:
        """Run every stage. ``on_stage`` hears "redacting" and "classifying" as they begin (job states)."""
        stage = on_stage or (lambda _name: None)
        speakers = default_channel_map(audio.n_channels, channel_map)
        prov: list[Activity] = []
        turns = self.transcribe(audio, speakers, prov, progress)
        stage("redacting")
        results, entities = self.detect_and_redact(turns, prov)
        redacted_wav, ranges = self.redact_audio(audio, turns, results, prov)
        redacted_turns = [_redacted_turn(t, r) for t, r in zip(turns, results, strict=True)]
        out = ProcessResult(audio_sha256=audio.sha256, duration=audio.duration, n_channels=audio.n_channels,
                            turns=redacted_turns, entities=entities, redacted_audio_wav=redacted_wav,
                            redacted_ranges=ranges, provenance=prov, raw_turns=turns,
                            raw_results=results)
        stage("classifying")
        out.classifications = self.classify(out, prov)
        return out

    # -- stages -------------------------------------------------------------------------------------------
    def transcribe(self, audio: DecodedAudio, speakers: Mapping[int, str], prov: list[Activity],
                   progress: ProgressFn | None) -> list[Turn]:
        tagged: list[tuple[int, Segment]] = []
        total = audio.duration * audio.n_channels
        for ch, samples in enumerate(audio.channels):
            started = utcnow()
            done_before = audio.duration * ch
            cb = (lambda s, _t, base=done_before: progress(base + s, total)) if progress else None
            segments, _info = self.transcriber.transcribe(samples, on_progress=cb)
            tagged.extend((ch, s) for s in segments)
            raw = " ".join(s.text.strip() for s in segments)
            prov.append(Activity(stage=f"transcribe:channel{ch}", started_at=started, ended_at=utcnow(),
                                 agent=self.transcriber.model_info,
                                 used={"audio": audio.sha256, "channel": str(ch)},
                                 generated={"raw_transcript": raw_text_digest(raw, self.options.raw_digest_key)}))
        if progress:
            progress(total, total)
        return _merge_turns(tagged, speakers)

    def detect_and_redact(self, turns: list[Turn], prov: list[Activity]
                          ) -> tuple[list[RedactionResult], list[RedactedEntity]]:
        started = utcnow()
        results: list[RedactionResult] = []
        state: dict[str, Any] = {}  # per-call pseudonym state shared across turns
        previous = ""
        for turn in turns:
            spans = self._analyze_in_context(previous, turn.raw_text)
            results.append(redact(turn.raw_text, spans, self.options.operators, state))
            previous = turn.raw_text
        entities = [_entity(t, a) for t, r in zip(turns, results, strict=True) for a in r.applied]
        digest = sha256_text(json.dumps([e.to_dict() for e in entities], sort_keys=True))
        prov.append(Activity(stage="detect_and_redact_text", started_at=started, ended_at=utcnow(),
                             agent=self.analyzer_info,
                             used={"raw_transcript": raw_text_digest("\n".join(t.raw_text for t in turns),
                                                                    self.options.raw_digest_key)},
                             generated={"entities": digest,
                                        "redacted_transcript": sha256_text("\n".join(r.text for r in results))}))
        return results, entities

    def _analyze_in_context(self, previous: str, text: str) -> list[Span]:
        """Analyse a turn with the tail of the previous turn in front of it.

        In a call the cue is often in the agent's question ("entä henkilötunnus?") and the identifier in the
        customer's answer; the answer alone reads as a bare run of numbers. Spans are clipped to the turn.
        """
        tail = " ".join(previous.split()[-CONTEXT_WORDS:])
        if not tail:
            return self.analyzer.analyze(text)
        prefix = tail + " \n "
        out = []
        for sp in self.analyzer.analyze(prefix + text):
            start, end = max(sp.start - len(prefix), 0), sp.end - len(prefix)
            if end > start:
                out.append(dataclasses.replace(sp, start=start, end=end))
        return out

    def redact_audio(self, audio: DecodedAudio, turns: list[Turn], results: list[RedactionResult],
                     prov: list[Activity]) -> tuple[bytes, list[tuple[float, float]]]:
        started = utcnow()
        spans_words = [(list(r.spans), t.words) for t, r in zip(turns, results, strict=True)]
        ranges = merge_ranges([rng for spans, words in spans_words if spans
                                for rng in time_ranges(spans, words, pad=self.options.pad_s,
                                                       duration=audio.duration)])
        # Every channel gets the same ranges: echo and crosstalk carry the customer's voice into the agent's.
        channels = [redact_samples(ch, audio.sample_rate, ranges, mode=self.options.audio_mode)
                    for ch in audio.channels]
        wav = encode_wav(channels if len(channels) > 1 else channels[0], audio.sample_rate)
        prov.append(Activity(stage="redact_audio", started_at=started, ended_at=utcnow(),
                             agent=ModelInfo(name="puheturva.redaction.audio", version=code_version(),
                                             settings={"mode": self.options.audio_mode, "pad_s": self.options.pad_s}),
                             used={"audio": audio.sha256},
                             generated={"redacted_audio": hashlib.sha256(wav).hexdigest()}))
        return wav, ranges

    def classify(self, result: ProcessResult, prov: list[Activity]) -> list[dict[str, Any]]:
        if self.classifier is None:
            return []
        started = utcnow()
        labels = self.classifier.classify(result.text)
        out = [{"kind": "call_reason", "label": labels[0].label, "score": round(labels[0].score, 3),
                "method": labels[0].method}] if labels else []
        types = sorted({e.type for e in result.entities})
        out += [{"kind": "pii_category", "label": ls.label, "score": ls.score, "method": ls.method}
                for ls in self.classifier.pii_categories(types)]
        prov.append(Activity(stage="classify", started_at=started, ended_at=utcnow(),
                             agent=self.classifier.model_info,
                             used={"redacted_transcript": sha256_text(result.text)},
                             generated={"classifications": sha256_text(json.dumps(out, sort_keys=True))}))
        return out


# -- helpers -----------------------------------------------------------------------------------------------
def _merge_turns(tagged: list[tuple[int, Segment]], speakers: Mapping[int, str]) -> list[Turn]:
    """Order segments of all channels by time and join consecutive segments of the same channel."""
    groups: list[list[tuple[int, Segment]]] = []
    for ch, seg in sorted(tagged, key=lambda cs: (cs[1].start, cs[0])):
        if groups and groups[-1][-1][0] == ch:
            groups[-1].append((ch, seg))
        else:
            groups.append([(ch, seg)])
    return [_turn(i, g, speakers) for i, g in enumerate(groups)]


def _turn(index: int, group: list[tuple[int, Segment]], speakers: Mapping[int, str]) -> Turn:
    ch = group[0][0]
    text, words = "", []
    for _, seg in group:
        # Without word timestamps the whole segment counts as one word (audio redaction then covers it all).
        for w in seg.words or (Word(seg.start, seg.end, seg.text, 0.0),):
            token = w.text.strip()
            if not token:
                continue
            if text:
                text += " "
            words.append(TimedWord(text=token, start=w.start, end=w.end, char_start=len(text),
                                   char_end=len(text) + len(token), channel=ch))
            text += token
    return Turn(index=index, speaker=speakers.get(ch, f"channel{ch}"), channel=ch, start=group[0][1].start,
                end=group[-1][1].end, raw_text=text, words=tuple(words))


def _entity(turn: Turn, applied: Any) -> RedactedEntity:
    span: Span = applied.span
    touched = [w for w in turn.words if w.char_start < span.end and w.char_end > span.start]
    expl = span.explanation
    return RedactedEntity(
        turn=turn.index, type=span.type, start=applied.redacted_start, end=applied.redacted_end,
        t_start=min(w.start for w in touched) if touched else None,
        t_end=max(w.end for w in touched) if touched else None,
        score=round(span.score, 3), recognizer=span.recognizer, operator=applied.operator,
        explanation=dataclasses.asdict(expl) if expl is not None else {})


def _redacted_turn(turn: Turn, result: RedactionResult) -> RedactedTurn:
    """Words keep their times and get offsets into the redacted text; a word inside a redacted span shows
    the replacement (one entry per span, covering the span's time range), so the UI can seek by word."""
    applied = sorted(result.applied, key=lambda a: a.span.start)
    words: list[dict[str, Any]] = []
    last_hit = None
    for w in turn.words:
        hit = next((a for a in applied if w.char_start < a.span.end and w.char_end > a.span.start), None)
        if hit is None:
            shift = sum((a.redacted_end - a.redacted_start) - (a.span.end - a.span.start)
                        for a in applied if a.span.end <= w.char_start)
            words.append({"start": round(w.start, 3), "end": round(w.end, 3), "text": w.text,
                          "char_start": w.char_start + shift, "char_end": w.char_end + shift})
        elif hit is not last_hit:
            words.append({"start": round(w.start, 3), "end": round(w.end, 3), "text": hit.replacement,
                          "char_start": hit.redacted_start, "char_end": hit.redacted_end, "redacted": True})
        else:
            words[-1]["end"] = round(w.end, 3)
        last_hit = hit
    return RedactedTurn(index=turn.index, speaker=turn.speaker, channel=turn.channel, start=round(turn.start, 3),
                        end=round(turn.end, 3), text=result.text, words=tuple(words))
