"""Conversation analytics from word timestamps: talk time, silence, interruptions and speaking rate.

What a QA lead reads before listening (the numbers contact-centre tools such as Observe.AI or CallMiner put
beside every call): who talked how long, how much of the call was silent, who started talking while the other
still was, and how fast each side spoke. Pure: word times in, a frozen result out; no database, no audio.

Definitions (the settings are part of the result, so provenance says which thresholds produced the numbers):

- a speaker's *talk intervals* are their word intervals joined across pauses shorter than ``bridge_s``;
  *talk time* is the total length of those intervals;
- *silence* is every stretch of the call (from 0 to its duration) in which nobody talks, counted only when it
  lasts at least ``silence_min_s``; its *share* is silence over duration;
- an *interruption* by speaker A is a talk interval of A that starts while another speaker's talk interval is
  still running, at least ``overlap_min_s`` before it ends (a one-word backchannel squeezed into a pause of
  the other speaker is not one);
- *words per minute* is a speaker's word count over their talk time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from service.pipeline.result import Classification

AGENT_NAME = "puheturva.conversation_analytics"
METHOD = "word_timestamps"


@dataclass(frozen=True)
class AnalyticsSettings:
    """Thresholds in seconds (recorded in the provenance activity that produced the numbers)."""

    bridge_s: float = 0.5
    silence_min_s: float = 1.0
    overlap_min_s: float = 0.3

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WordTime:
    """One spoken word's time (its text is not needed: analytics never reads what was said)."""

    speaker: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeakerStats:
    speaker: str
    talk_s: float
    words: int
    interruptions: int
    wpm: float


@dataclass(frozen=True)
class ConversationStats:
    """The analytics of one call; ``speakers`` in order of first word."""

    duration_s: float
    silence_s: float
    silence_share: float  # 0..1
    speakers: tuple[SpeakerStats, ...]
    settings: AnalyticsSettings

    @property
    def interruptions(self) -> int:
        return sum(s.interruptions for s in self.speakers)


Interval = tuple[float, float]


def talk_intervals(times: Iterable[Interval], bridge_s: float) -> list[Interval]:
    """Word intervals sorted and joined where the pause between them is shorter than ``bridge_s``."""
    out: list[Interval] = []
    for start, end in sorted(times):
        if out and start - out[-1][1] < bridge_s:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _silence(intervals: Sequence[Interval], duration: float, min_s: float) -> float:
    """Total length of the gaps of at least ``min_s`` between 0, the union of ``intervals`` and ``duration``."""
    total, pos = 0.0, 0.0
    for start, end in talk_intervals(intervals, 0.0):
        if start - pos >= min_s:
            total += start - pos
        pos = max(pos, end)
    if duration - pos >= min_s:
        total += duration - pos
    return total


def _interruptions(own: Sequence[Interval], others: Sequence[Interval], overlap_min_s: float) -> int:
    return sum(1 for start, _ in own
               if any(o_start < start and o_end - start >= overlap_min_s for o_start, o_end in others))


def analyze(words: Sequence[WordTime], duration: float, settings: AnalyticsSettings | None = None
            ) -> ConversationStats:
    """The analytics of a call whose words are ``words`` and whose recording lasts ``duration`` seconds."""
    cfg = settings or AnalyticsSettings()
    speakers: list[str] = []
    by_speaker: dict[str, list[Interval]] = {}
    for w in sorted(words, key=lambda w: w.start):
        if w.speaker not in by_speaker:
            speakers.append(w.speaker)
        by_speaker.setdefault(w.speaker, []).append((w.start, w.end))
    duration = max(duration, max((w.end for w in words), default=0.0))
    talk = {sp: talk_intervals(times, cfg.bridge_s) for sp, times in by_speaker.items()}
    stats = []
    for sp in speakers:
        talk_s = sum(end - start for start, end in talk[sp])
        others = [iv for other, ivs in talk.items() if other != sp for iv in ivs]
        stats.append(SpeakerStats(
            speaker=sp, talk_s=round(talk_s, 3), words=len(by_speaker[sp]),
            interruptions=_interruptions(talk[sp], others, cfg.overlap_min_s),
            wpm=round(len(by_speaker[sp]) / (talk_s / 60), 1) if talk_s > 0 else 0.0))
    silence = _silence([iv for ivs in talk.values() for iv in ivs], duration, cfg.silence_min_s)
    return ConversationStats(duration_s=round(duration, 3), silence_s=round(silence, 3),
                             silence_share=round(silence / duration, 4) if duration > 0 else 0.0,
                             speakers=tuple(stats), settings=cfg)


def as_classifications(stats: ConversationStats) -> tuple[Classification, ...]:
    """The measures as typed classifications (``label`` the speaker, or ``call`` for the whole call)."""
    def measure(kind: str, label: str, value: float, unit: str) -> Classification:
        return Classification(kind=kind, label=label, score=1.0, method=METHOD, value=value, unit=unit)

    out = [measure("silence", "call", stats.silence_s, "s"),
           measure("silence_share", "call", round(stats.silence_share * 100, 1), "%")]
    for sp in stats.speakers:
        out += [measure("talk_time", sp.speaker, sp.talk_s, "s"),
                measure("interruptions", sp.speaker, sp.interruptions, "count"),
                measure("wpm", sp.speaker, sp.wpm, "wpm")]
    return tuple(out)
