"""Self-verification: re-transcribe the redacted audio around each redacted range and re-scan it.

The tone changes audio only inside the redacted ranges, so whatever could still be heard sits around them:
windows of ``range ± margin`` (merged, clipped) are transcribed again, each speaking channel separately,
and scanned with the same analyzer plus the echo checks of ``service.pipeline.echo_check``. A hit whose words are
not already under the tone extends the ranges, padded like the first pass. The ASR listens to the ranges
silenced rather than toned (the audio outside them is the same either way, and Whisper hallucinates words
over a tone).

Cost is bounded by design: in ``auto`` mode the windows' audio (over the channels verified) must be at most
``budget`` × the recording's audio (all channels), so verification adds at most about that share of ASR time
— provided the windows decode no slower per second than whole channels, which is why it listens with
temperature fallback off (``VERIFY_TEMPERATURE``). Planning is pure and testable without
a model; ``SelfVerifier`` runs the transcriber and the analyzer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from redaction.audio import TimedWord, merge_ranges
from service.pipeline.echo_check import MIN_DIGITS, WORD_TYPES, Target, echo_hits, name_like, word_digits
from service.pipeline.transcript_words import timed_words, word_confidences

MODES: tuple[str, ...] = ("auto", "on", "off")
Range = tuple[float, float]
HEARD_SHARE = 0.5  # share of a word outside the tone for it to count as heard
# Names and addresses are found through cues and NER, which a window cut out of its call misreads (measured on
# the stereo test call: the agent's "kertoisitteko nimenne" re-heard as a name, speech after an address cue
# taken for an address). For them only the echo check counts: a word like the one detected, still heard.
CONTEXT_TYPES = frozenset({"PERSON", "ADDRESS"})
# On short windows Whisper's temperature fallback decodes up to six times: on the stereo test call's customer
# window it cost 3.8x the CPU for the same words (5.9 s vs 1.6 s). A leak check wants what the model hears
# first, not a rescued transcript: the same loaded model decodes at temperature 0 only.
VERIFY_TEMPERATURE: tuple[float, ...] = (0.0,)


@dataclass(frozen=True)
class Window:
    """A stretch of the call to re-transcribe, and the channels that speak in it."""

    start: float
    end: float
    channels: tuple[int, ...]

    @property
    def seconds(self) -> float:
        return (self.end - self.start) * len(self.channels)


@dataclass(frozen=True)
class Verdict:
    """What verification concluded. ``hits`` counts identifiers still heard by type: counts, never values."""

    verdict: str  # clean | extended | skipped:budget | skipped:no_redactions | skipped:off
    ranges: list[Range]
    windows: int = 0
    seconds: float = 0.0
    hits: dict[str, int] = field(default_factory=dict)


def plan_windows(ranges: Sequence[Range], margin: float, duration: float) -> list[Range]:
    """Each range widened by ``margin`` on both sides, clipped to ``[0, duration]``, overlaps merged."""
    widened = [(max(0.0, a - margin), min(duration, b + margin)) for a, b in ranges]
    return merge_ranges(w for w in widened if w[1] > w[0])


def plan(ranges: Sequence[Range], margin: float, duration: float,
         speech: Mapping[int, Sequence[Range]]) -> list[Window]:
    """Windows with the channels whose first-pass words (``speech``: channel → word times) overlap them.

    A channel silent in a window is not transcribed there: nothing of it can leak that the ASR would hear.
    """
    out = []
    for a, b in plan_windows(ranges, margin, duration):
        channels = tuple(ch for ch, times in sorted(speech.items()) if any(s < b and a < e for s, e in times))
        if channels:
            out.append(Window(a, b, channels))
    return out


def skip_reason(mode: str, windows: Sequence[Window], audio_seconds: float, budget: float) -> str | None:
    """Why verification does not run (a verdict), or None when it should run."""
    if mode not in MODES:
        raise ValueError(f"self-verify mode must be one of {MODES}")
    if mode == "off":
        return "skipped:off"
    if not windows:
        return "skipped:no_redactions"
    if mode == "auto" and sum(w.seconds for w in windows) > budget * audio_seconds:
        return "skipped:budget"
    return None


def outside_share(word: TimedWord, ranges: Sequence[Range]) -> float:
    """How much of the word (0..1) lies outside the redacted ranges."""
    length = word.end - word.start
    if length <= 0:
        return 0.0 if any(a <= word.start <= b for a, b in ranges) else 1.0
    covered = sum(max(0.0, min(b, word.end) - max(a, word.start)) for a, b in ranges)
    return max(0.0, 1.0 - covered / length)


def still_heard(kind: str, words: Sequence[TimedWord], ranges: Sequence[Range]) -> tuple[TimedWord, ...]:
    """The words of a hit still heard, or () when what is heard does not amount to an identifier.

    A word counts when at least half of it lies outside the ranges: inside them nothing can be heard, and
    Whisper's word times are rough by a tenth of a second or two at the edges. What is heard
    must be identifying on its own: 4+ digits for a number (a cue word beside the tone is no leak), a
    name-like word for a name, address or e-mail.
    """
    out = tuple(w for w in words if outside_share(w, ranges) >= HEARD_SHARE)
    if kind in WORD_TYPES:
        return out if any(name_like(w.text) for w in out) else ()
    return out if sum(len(word_digits(w.text) or "") for w in out) >= MIN_DIGITS else ()


def padded(words: Sequence[TimedWord], pad: float, duration: float) -> list[Range]:
    return [(max(0.0, w.start - pad), min(duration, w.end + pad)) for w in words
            if min(duration, w.end + pad) > max(0.0, w.start - pad)]


class SelfVerifier:
    """Re-transcribes windows of redacted audio and finds identifiers still heard in them.

    Args: transcriber: ``models.asr.Transcriber`` (anything with ``transcribe(samples, offset=...)``).
    analyzer: ``redaction.Analyzer``. pad: padding of added ranges (the first pass's).
    with_confidence: pass word probabilities to the analyzer (its low-confidence policy reads them).
    """

    def __init__(self, transcriber: Any, analyzer: Any, *, pad: float, with_confidence: bool = True) -> None:
        self.transcriber, self.analyzer = transcriber, analyzer
        self.pad, self.with_confidence = pad, with_confidence

    def verify(self, windows: Sequence[Window], channels: Sequence[np.ndarray], sample_rate: int,
               ranges: Sequence[Range], targets: Sequence[Target],
               heartbeat: Callable[[], None] | None = None) -> Verdict:
        """Transcribe every window of the redacted ``channels``; extend ``ranges`` by what is still heard."""
        duration = len(channels[0]) / sample_rate
        hits: Counter[str] = Counter()
        added: list[Range] = []
        for win in windows:
            for ch in win.channels:
                text, words = self._transcribe(channels[ch], sample_rate, win, ch, heartbeat)
                for kind, hit_words in self.hits(text, words, targets):
                    heard = still_heard(kind, hit_words, ranges)
                    if heard:
                        hits[kind] += 1
                        added += padded(heard, self.pad, duration)
        final = merge_ranges([*ranges, *added])
        return Verdict("extended" if final != list(ranges) else "clean", final, len(windows),
                       round(sum(w.seconds for w in windows), 3), dict(sorted(hits.items())))

    def hits(self, text: str, words: Sequence[TimedWord], targets: Sequence[Target]
             ) -> list[tuple[str, tuple[TimedWord, ...]]]:
        """What the analyzer finds in the window (numbers, e-mail), then echoes of what was detected before."""
        confidence = word_confidences(words) if self.with_confidence else None
        found = []
        for span in self.analyzer.analyze(text, word_confidence=confidence) if text.strip() else []:
            if span.type in CONTEXT_TYPES:
                continue
            touched = tuple(w for w in words if w.char_start < span.end and span.start < w.char_end)
            if touched:
                found.append((span.type, touched))
        return found + echo_hits(text, words, targets)

    def _transcribe(self, samples: np.ndarray, sample_rate: int, win: Window, channel: int,
                    heartbeat: Callable[[], None] | None) -> tuple[str, tuple[TimedWord, ...]]:
        i, j = int(win.start * sample_rate), int(np.ceil(win.end * sample_rate))
        progress = (lambda _done, _total: heartbeat()) if heartbeat else None
        segments, _info = self.transcriber.transcribe(samples[i:j], offset=i / sample_rate,
                                                      on_progress=progress, temperature=VERIFY_TEMPERATURE)
        return timed_words(segments, channel)
