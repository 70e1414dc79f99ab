"""One call recording in, a redacted transcript, its entities, redacted audio and provenance out.

The same ``Pipeline.process`` runs for the CLI (``puheturva process``), the embedded job runner and Celery
workers, so the work itself has one code path. It is pure with respect to storage: no database, no files.

Stages (each appends one provenance ``Activity``): decode → transcribe each channel → detect → redact text →
redact audio → self-verify the redacted audio (optional, see ``service.pipeline.self_verify``) → classify →
conversation analytics from the word times (``service.pipeline.analytics``) → detect rights requests in
the redacted customer turns (optional, ``service.pipeline.rights``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from models.asr import Segment, Transcriber
from models.audio import DecodedAudio, encode_wav
from models.provenance import Activity, ModelInfo, utcnow
from redaction import Analyzer, RedactionResult, Span, WordConfidence, redact
from redaction.audio import merge_ranges, redact_samples, time_ranges
from service.pipeline.analytics import AGENT_NAME as ANALYTICS_AGENT
from service.pipeline.analytics import AnalyticsSettings, WordTime, analyze, as_classifications
from service.pipeline.echo_check import Target, targets_in
from service.pipeline.result import (
    Classification,
    PipelineOptions,
    ProcessResult,
    RedactedEntity,
    RedactedTurn,
    RedactedWord,
    RightsItem,
    Stage,
    Turn,
)
from service.pipeline.rights import RightsDetectorLike, detect_rights
from service.pipeline.self_verify import VERIFY_TEMPERATURE, SelfVerifier, Verdict, Window, plan, skip_reason
from service.pipeline.transcript_words import timed_words, word_confidences
from service.platform.digests import audio_digest, text_digest
from service.platform.version import code_version

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, float], None]
CONTEXT_WORDS = 6  # words of the previous turn whose cues carry into the next


@dataclass(frozen=True)
class RedactedAudio:
    """The redacted recording: its WAV and the ranges replaced."""

    wav: bytes
    ranges: list[tuple[float, float]]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.wav).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def raw_text_digest(text: str, key: bytes) -> str:
    """Digest of text for provenance: ``hmac-sha256:<hex>`` when keyed (always, in the service).

    Used for the redacted transcript too: it may still hold an identifier the pipeline missed.
    """
    return text_digest(text, key)


def default_channel_map(n_channels: int, names: Mapping[int, str] | None = None) -> dict[int, str]:
    """Channel 0 = agent, 1 = customer for stereo; one ``unknown`` speaker for mono, unless told otherwise."""
    if names:
        return {int(k): v for k, v in names.items()}
    return {0: "unknown"} if n_channels == 1 else {0: "agent", 1: "customer"}


class Pipeline:
    """Runs the stages over one decoded recording. Heavy models are injected, loaded once per process."""

    def __init__(self, transcriber: Transcriber, analyzer: Analyzer, analyzer_info: ModelInfo,
                 classifier: Any | None = None, options: PipelineOptions | None = None,
                 analytics: AnalyticsSettings | None = None, rights_detector: RightsDetectorLike | None = None
                 ) -> None:
        self.transcriber = transcriber
        self.analytics_settings = analytics or AnalyticsSettings()
        self.rights_detector = rights_detector  # None: the stage is switched off
        self.analyzer = analyzer
        self.analyzer_info = analyzer_info
        self.classifier = classifier
        self.options = options or PipelineOptions()

    def process(self, audio: DecodedAudio, channel_map: Mapping[int, str] | None = None,
                progress: ProgressFn | None = None, on_stage: Callable[[Stage], None] | None = None
                ) -> ProcessResult:
        """Run every stage. ``on_stage`` hears each ``Stage`` as it begins (the job runner records it)."""
        stage = on_stage or (lambda _stage: None)
        speakers = default_channel_map(audio.n_channels, channel_map)
        prov: list[Activity] = []
        stage(Stage.TRANSCRIBING)
        turns = self.transcribe(audio, speakers, prov, progress)
        stage(Stage.REDACTING)
        results, entities = self.detect_and_redact(turns, prov)
        redacted = self.redact_audio(audio, turns, results, prov)
        stage(Stage.VERIFYING)
        redacted, verdict = self.verify_redaction(audio, turns, results, redacted, prov, progress)
        redacted_turns = tuple(_redacted_turn(t, r) for t, r in zip(turns, results, strict=True))
        out = ProcessResult(audio_sha256=audio.sha256, duration=audio.duration, n_channels=audio.n_channels,
                            turns=redacted_turns, entities=tuple(entities), redacted_audio_wav=redacted.wav,
                            redacted_ranges=redacted.ranges, raw_turns=tuple(turns),
                            raw_results=tuple(results), self_verify=verdict)
        stage(Stage.CLASSIFYING)
        classifications = self.classify(out, prov)
        analytics = self.analyze_conversation(turns, audio.duration, prov)
        rights: tuple[RightsItem, ...] = ()
        if self.rights_detector is not None:
            stage(Stage.DETECTING_RIGHTS)
            rights = detect_rights(self.rights_detector, redacted_turns, prov, self.options.raw_digest_key)
        return dataclasses.replace(out, classifications=tuple(classifications), analytics=analytics,
                                   provenance=tuple(prov), rights_items=rights)

    # -- stages -------------------------------------------------------------------------------------------
    def transcribe(self, audio: DecodedAudio, speakers: Mapping[int, str], prov: list[Activity],
                   progress: ProgressFn | None) -> list[Turn]:
        tagged: list[tuple[int, Segment]] = []
        started = utcnow()
        # Every channel in one call: the transcriber decodes them one by one, or batches their speech together.
        per_channel = self.transcriber.transcribe_channels(audio.channels, on_progress=progress)
        ended = utcnow()
        for ch, (segments, _info) in enumerate(per_channel):
            tagged.extend((ch, s) for s in segments)
            raw = " ".join(s.text.strip() for s in segments)
            prov.append(Activity(stage=f"transcribe:channel{ch}", started_at=started, ended_at=ended,
                                 agent=self.transcriber.model_info,
                                 used={"audio": audio_digest(audio.sha256, self.options.raw_digest_key),
                                       "channel": str(ch)},
                                 generated={"raw_transcript": raw_text_digest(raw, self.options.raw_digest_key)}))
        return _merge_turns(tagged, speakers)

    def detect_and_redact(self, turns: list[Turn], prov: list[Activity]
                          ) -> tuple[list[RedactionResult], list[RedactedEntity]]:
        started = utcnow()
        results: list[RedactionResult] = []
        state: dict[str, Any] = {}  # per-call pseudonym state shared across turns
        previous = ""
        for turn in turns:
            spans = self._analyze_in_context(previous, turn)
            results.append(redact(turn.raw_text, spans, self.options.operators, state))
            previous = turn.raw_text
        entities = [_entity(t, a) for t, r in zip(turns, results, strict=True) for a in r.applied]
        digest = sha256_text(json.dumps([e.to_dict() for e in entities], sort_keys=True))
        confidence = {"word_confidence": self.options.low_confidence_redaction}
        prov.append(Activity(stage="detect_and_redact_text", started_at=started, ended_at=utcnow(),
                             agent=dataclasses.replace(self.analyzer_info,
                                                       settings={**self.analyzer_info.settings, **confidence}),
                             used={"raw_transcript": raw_text_digest("\n".join(t.raw_text for t in turns),
                                                                    self.options.raw_digest_key)},
                             generated={"entities": digest,
                                        "redacted_transcript": raw_text_digest("\n".join(r.text for r in results),
                                                                               self.options.raw_digest_key)}))
        return results, entities

    def _analyze_in_context(self, previous: str, turn: Turn) -> list[Span]:
        """Analyse a turn with the tail of the previous turn in front of it.

        In a call the cue is often in the agent's question ("entä henkilötunnus?") and the identifier in the
        customer's answer; the answer alone reads as a bare run of numbers. Spans are clipped to the turn.
        The turn's word probabilities go along (offsets shifted past the prefix), unless switched off.
        """
        text = turn.raw_text
        tail = " ".join(previous.split()[-CONTEXT_WORDS:])
        if not tail:
            return self.analyzer.analyze(text, word_confidence=self._confidences(turn, 0))
        prefix = tail + " \n "
        out = []
        for sp in self.analyzer.analyze(prefix + text, word_confidence=self._confidences(turn, len(prefix))):
            start, end = max(sp.start - len(prefix), 0), sp.end - len(prefix)
            if end > start:
                out.append(dataclasses.replace(sp, start=start, end=end))
        return out

    def _confidences(self, turn: Turn, shift: int) -> list[WordConfidence] | None:
        return word_confidences(turn.words, shift) if self.options.low_confidence_redaction else None

    def redact_audio(self, audio: DecodedAudio, turns: list[Turn], results: list[RedactionResult],
                     prov: list[Activity]) -> RedactedAudio:
        started = utcnow()
        spans_words = [(list(r.spans), t.words) for t, r in zip(turns, results, strict=True)]
        ranges = merge_ranges([rng for spans, words in spans_words if spans
                                for rng in time_ranges(spans, words, pad=self.options.pad_s,
                                                       duration=audio.duration)])
        redacted = self._redacted(audio, ranges)
        prov.append(Activity(stage="redact_audio", started_at=started, ended_at=utcnow(),
                             agent=ModelInfo(name="puheturva.redaction.audio", version=code_version(),
                                             settings={"mode": self.options.audio_mode, "pad_s": self.options.pad_s}),
                             used={"audio": audio_digest(audio.sha256, self.options.raw_digest_key)},
                             generated={"redacted_audio": redacted.sha256}))
        return redacted

    def _redacted(self, audio: DecodedAudio, ranges: list[tuple[float, float]]) -> RedactedAudio:
        # Every channel gets the same ranges: echo and crosstalk carry the customer's voice into the agent's.
        channels = [redact_samples(ch, audio.sample_rate, ranges, mode=self.options.audio_mode)
                    for ch in audio.channels]
        wav = encode_wav(channels if len(channels) > 1 else channels[0], audio.sample_rate)
        return RedactedAudio(wav=wav, ranges=ranges)

    def verify_redaction(self, audio: DecodedAudio, turns: list[Turn], results: list[RedactionResult],
                         first: RedactedAudio, prov: list[Activity], progress: ProgressFn | None = None
                         ) -> tuple[RedactedAudio, Verdict | None]:
        """Self-verification: re-transcribe around the redacted ranges, extend them by what is still heard.

        The text redaction stays as it is (it came from the first transcript); only the audio can grow.
        """
        opts = self.options
        if opts.self_verify == "off":
            return first, None
        started = utcnow()
        speech: dict[int, list[tuple[float, float]]] = {}
        for t in turns:
            speech.setdefault(t.channel, []).extend((w.start, w.end) for w in t.words)
        windows = plan(first.ranges, opts.self_verify_margin_s, audio.duration, speech)
        skip = skip_reason(opts.self_verify, windows, audio.duration * audio.n_channels, opts.self_verify_budget)
        if skip is not None:
            verdict = Verdict(skip, first.ranges, len(windows), 0.0)
        else:
            verdict = self._run_verifier(audio, windows, first, _targets(turns, results), progress)
        final = self._redacted(audio, verdict.ranges) if verdict.verdict == "extended" else first
        prov.append(self._verify_activity(started, first, final, verdict,
                                          sum(w.seconds for w in windows)))
        return final, verdict

    def _run_verifier(self, audio: DecodedAudio, windows: list[Window], first: RedactedAudio,
                      targets: list[Target], progress: ProgressFn | None) -> Verdict:
        opts = self.options
        verifier = SelfVerifier(self.transcriber, self.analyzer, pad=opts.pad_s,
                                with_confidence=opts.low_confidence_redaction)
        # The ASR listens with the ranges silenced, whatever the output mode: outside them the audio is the
        # same either way, and Whisper hallucinates words over a tone ("b**** b****", "HEP -HEP …" measured).
        silenced = [redact_samples(ch, audio.sample_rate, first.ranges, mode="silence") for ch in audio.channels]
        total = audio.duration * audio.n_channels
        beat = (lambda: progress(total, total)) if progress else None  # keeps a job's heartbeat going
        return verifier.verify(windows, silenced, audio.sample_rate, first.ranges, targets, heartbeat=beat)

    def _verify_activity(self, started: Any, first: RedactedAudio, final: RedactedAudio, verdict: Verdict,
                         planned_s: float) -> Activity:
        info = self.transcriber.model_info
        opts = self.options
        settings = {**info.settings, "self_verify": {"temperature": list(VERIFY_TEMPERATURE),
            "mode": opts.self_verify, "budget": opts.self_verify_budget, "margin_s": opts.self_verify_margin_s,
            "pad_s": opts.pad_s, "asr_input": "redacted audio, ranges silenced", "windows": verdict.windows,
            "planned_seconds": round(planned_s, 3), "seconds_verified": verdict.seconds,
            "hits_by_type": verdict.hits,
            "seconds_added": round(_total(final.ranges) - _total(first.ranges), 3)}}
        return Activity(stage="self_verify", started_at=started, ended_at=utcnow(),
                        agent=dataclasses.replace(info, settings=settings),
                        used={"redacted_audio": first.sha256},
                        generated={"redacted_audio": final.sha256, "verdict": verdict.verdict})

    def classify(self, result: ProcessResult, prov: list[Activity]) -> list[Classification]:
        """Label the redacted transcript (reads ``result.text`` and ``result.entities`` only)."""
        if self.classifier is None:
            return []
        started = utcnow()
        labels = self.classifier.classify(result.text)
        out = [Classification(kind="call_reason", label=labels[0].label, score=round(labels[0].score, 3),
                              method=labels[0].method)] if labels else []
        types = sorted({e.type for e in result.entities})
        out += [Classification(kind="pii_category", label=ls.label, score=ls.score, method=ls.method)
                for ls in self.classifier.pii_categories(types)]
        digest = sha256_text(json.dumps([c.to_dict() for c in out], sort_keys=True))
        prov.append(Activity(stage="classify", started_at=started, ended_at=utcnow(),
                             agent=self.classifier.model_info,
                             used={"redacted_transcript": raw_text_digest(result.text, self.options.raw_digest_key)},
                             generated={"classifications": digest}))
        return out

    def analyze_conversation(self, turns: list[Turn], duration: float, prov: list[Activity]
                             ) -> tuple[Classification, ...]:
        """Talk time, silence, interruptions and speaking rate from the word times (never the words)."""
        started = utcnow()
        cfg = self.analytics_settings
        words = [WordTime(t.speaker, w.start, w.end) for t in turns for w in t.words]
        out = as_classifications(analyze(words, duration, cfg))
        digest = sha256_text(json.dumps([c.to_dict() for c in out], sort_keys=True))
        prov.append(Activity(stage="conversation_analytics", started_at=started, ended_at=utcnow(),
                             agent=ModelInfo(name=ANALYTICS_AGENT, version=code_version(), settings=cfg.as_dict()),
                             used={"word_times": sha256_text(json.dumps([[w.speaker, w.start, w.end]
                                                                         for w in words]))},
                             generated={"analytics": digest}))
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
    text, words = timed_words((seg for _, seg in group), ch)
    return Turn(index=index, speaker=speakers.get(ch, f"channel{ch}"), channel=ch, start=group[0][1].start,
                end=group[-1][1].end, raw_text=text, words=words)


def _total(ranges: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in ranges)


def _targets(turns: list[Turn], results: list[RedactionResult]) -> list[Target]:
    """What was detected, as the echo checks need it (raw values in memory only, never logged)."""
    return [t for turn, res in zip(turns, results, strict=True) for t in targets_in(turn.raw_text, res.spans)]


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
    words: list[RedactedWord] = []
    last_hit = None
    for w in turn.words:
        hit = next((a for a in applied if w.char_start < a.span.end and w.char_end > a.span.start), None)
        if hit is None:
            shift = sum((a.redacted_end - a.redacted_start) - (a.span.end - a.span.start)
                        for a in applied if a.span.end <= w.char_start)
            words.append(RedactedWord(start=round(w.start, 3), end=round(w.end, 3), text=w.text,
                                      char_start=w.char_start + shift, char_end=w.char_end + shift,
                                      probability=None if w.probability is None else round(w.probability, 2)))
        elif hit is not last_hit:
            words.append(RedactedWord(start=round(w.start, 3), end=round(w.end, 3), text=hit.replacement,
                                      char_start=hit.redacted_start, char_end=hit.redacted_end, redacted=True))
        else:
            words[-1] = dataclasses.replace(words[-1], end=round(w.end, 3))
        last_hit = hit
    return RedactedTurn(index=turn.index, speaker=turn.speaker, channel=turn.channel, start=round(turn.start, 3),
                        end=round(turn.end, 3), text=result.text, words=tuple(words))
