"""``service.pipeline.analytics`` on hand-made word timings whose answers are worked out by hand."""

from __future__ import annotations

import pytest

from service.pipeline.analytics import AnalyticsSettings, WordTime, analyze, as_classifications, talk_intervals


def words(speaker: str, *times: tuple[float, float]) -> list[WordTime]:
    return [WordTime(speaker, a, b) for a, b in times]


# agent 0.0–1.5 (three words, pauses of 0.1 s bridged) and 4.0–5.0 (two words);
# customer 1.2–2.0 (two words) starts 0.3 s before the agent stops: one interruption by the customer.
CALL = (words("agent", (0.0, 0.4), (0.5, 1.0), (1.1, 1.5), (4.0, 4.5), (4.6, 5.0))
        + words("customer", (1.2, 1.6), (1.7, 2.0)))


def test_talk_time_silence_interruptions_and_rate() -> None:
    stats = analyze(CALL, duration=7.0)
    agent, customer = stats.speakers
    assert (agent.speaker, agent.talk_s, agent.words, agent.interruptions) == ("agent", 2.5, 5, 0)
    assert agent.wpm == 120.0  # 5 words in 2.5 s
    assert (customer.speaker, customer.talk_s, customer.words, customer.interruptions) == ("customer", 0.8, 2, 1)
    assert customer.wpm == 150.0  # 2 words in 0.8 s
    assert stats.silence_s == 4.0  # 2.0–4.0 and 5.0–7.0
    assert stats.silence_share == pytest.approx(4 / 7, abs=1e-4)
    assert stats.interruptions == 1


def test_thresholds_decide() -> None:
    short_overlap = words("agent", (0.0, 1.0)) + words("customer", (0.85, 1.5))  # 0.15 s overlap
    assert analyze(short_overlap, 1.5).interruptions == 0
    assert analyze(short_overlap, 1.5, AnalyticsSettings(overlap_min_s=0.1)).interruptions == 1
    gaps = words("agent", (0.0, 1.0), (1.8, 2.0))  # a 0.8 s pause: not silence at 1.0 s, silence at 0.5 s
    assert analyze(gaps, 2.0).silence_s == 0.0
    assert analyze(gaps, 2.0, AnalyticsSettings(silence_min_s=0.5, bridge_s=0.5)).silence_s == pytest.approx(0.8)
    assert talk_intervals([(1.8, 2.0), (0.0, 1.0)], 1.0) == [(0.0, 2.0)]


def test_no_words_is_all_silence() -> None:
    stats = analyze([], duration=3.0)
    assert (stats.speakers, stats.silence_s, stats.silence_share) == ((), 3.0, 1.0)


def test_as_classifications_are_typed_measures() -> None:
    by_key = {(c.kind, c.label): (c.value, c.unit) for c in as_classifications(analyze(CALL, 7.0))}
    assert by_key[("talk_time", "agent")] == (2.5, "s")
    assert by_key[("interruptions", "customer")] == (1, "count")
    assert by_key[("wpm", "customer")] == (150.0, "wpm")
    assert by_key[("silence_share", "call")] == (57.1, "%")
    assert by_key[("silence", "call")] == (4.0, "s")
