"""Self-verification and word confidences: pure planning and echo checks, then the real model on real audio.

The ASR's output differs between CPUs (FINDINGS.md), so the real-model tests never pin a transcript: they
assert what must hold whichever words the model hears — the provenance activity and its fields, final ranges
covering the first, the WAV changing exactly when ranges were added, a verdict that agrees with the ranges.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models.asr import Segment, Word
from redaction import Span
from redaction.audio import TimedWord, merge_ranges, time_ranges
from service.pipeline.echo_check import Target, echo_hits, target_of, targets_in
from service.pipeline.self_verify import Window, outside_share, plan, plan_windows, skip_reason, still_heard
from service.pipeline.transcript_words import timed_words, word_confidences

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
PHONE = "0507654321"  # phone.wav's number (tests/data/fixtures.json)


def words_of(text: str, start: float = 0.0, step: float = 0.5, channel: int = 0) -> tuple[TimedWord, ...]:
    """Timed words for a synthetic transcript: one word every ``step`` seconds."""
    out, pos = [], 0
    for i, token in enumerate(text.split()):
        pos = text.index(token, pos)
        out.append(TimedWord(token, start + i * step, start + (i + 1) * step - 0.05, pos, pos + len(token),
                             channel, 0.4))
        pos += len(token)
    return tuple(out)


# -- planning ---------------------------------------------------------------------------------------------
def test_windows_are_widened_clipped_and_merged() -> None:
    assert plan_windows([(1.0, 2.0), (3.0, 4.0), (10.0, 11.0)], 1.5, 11.5) == [(0.0, 5.5), (8.5, 11.5)]
    assert plan_windows([], 1.5, 10.0) == []


def test_only_channels_speaking_in_a_window_are_transcribed() -> None:
    speech = {0: [(0.5, 1.2)], 1: [(2.0, 2.5), (20.0, 20.4)]}
    windows = plan([(2.0, 2.5), (20.0, 20.4)], 1.0, 30.0, speech)
    assert windows == [Window(1.0, 3.5, (0, 1)), Window(19.0, 21.4, (1,))]
    assert windows[0].seconds == pytest.approx(5.0) and windows[1].seconds == pytest.approx(2.4)


def test_skip_reasons() -> None:
    windows = [Window(0.0, 10.0, (0, 1))]  # 20 s of audio to re-transcribe
    assert skip_reason("auto", windows, audio_seconds=100.0, budget=0.3) is None
    assert skip_reason("auto", windows, audio_seconds=60.0, budget=0.3) == "skipped:budget"
    assert skip_reason("on", windows, audio_seconds=60.0, budget=0.3) is None
    assert skip_reason("off", windows, audio_seconds=100.0, budget=0.3) == "skipped:off"
    assert skip_reason("on", [], audio_seconds=60.0, budget=0.3) == "skipped:no_redactions"
    with pytest.raises(ValueError):
        skip_reason("sometimes", windows, 60.0, 0.3)


def test_words_under_the_tone_are_not_heard() -> None:
    w = TimedWord("kolme", 1.0, 2.0, 0, 5)
    assert outside_share(w, [(0.5, 2.5)]) == 0.0
    assert outside_share(w, [(1.5, 3.0)]) == pytest.approx(0.5)
    assert outside_share(w, []) == 1.0
    digits = words_of("neljä kolme kaksi yksi", start=4.0)
    assert still_heard("PHONE", digits, [(0.0, 4.0)]) == digits
    assert still_heard("PHONE", digits, [(0.0, 10.0)]) == ()
    assert still_heard("PHONE", digits[:3], []) == (), "three digits do not identify anyone"
    assert still_heard("PHONE", words_of("puhelin numero"), []) == (), "a cue word is no leak"
    assert still_heard("PERSON", words_of("on virtanen"), []) != ()
    assert still_heard("PERSON", words_of("on se"), []) == ()


# -- echo checks --------------------------------------------------------------------------------------------
def test_digits_of_the_detected_number_are_echoes() -> None:
    target = target_of("PHONE", "nolla viisi nolla seitsemän kuusi viisi neljä kolme kaksi yksi")
    assert target.digits == (PHONE,)
    text = "no niin kuusi viisi neljä kolme kiitos"
    words = words_of(text)
    ((kind, hit),) = echo_hits(text, words, [target])
    assert kind == "PHONE" and [w.text for w in hit] == ["kuusi", "viisi", "neljä", "kolme"]
    # Misspelt digit words (FINDINGS.md) still count when read word by word.
    text = "se on kusi misi eljä kolme"
    ((_, hit),) = echo_hits(text, words_of(text), [target])
    assert [w.text for w in hit] == ["kusi", "misi", "eljä", "kolme"]


def test_three_digits_or_other_digits_are_no_echo() -> None:
    target = target_of("PHONE", "nolla viisi nolla seitsemän kuusi viisi neljä kolme kaksi yksi")
    for text in ("kolme kaksi yksi ja sitten jotain", "yhdeksän yhdeksän yhdeksän yhdeksän", "hyvää päivää"):
        assert echo_hits(text, words_of(text), [target]) == [], text


def test_name_echoes_are_similar_words() -> None:
    target = target_of("PERSON", "Matti Virtanen")
    assert target.words == ("matti", "virtanen")
    text = "kiitos herra virtasen puolesta"
    ((kind, hit),) = echo_hits(text, words_of(text), [target])
    assert kind == "PERSON" and [w.text for w in hit] == ["virtasen"]
    assert echo_hits("se on hyvä", words_of("se on hyvä"), [target]) == []
    address = target_of("ADDRESS", "Asemakatu viisi bee kaksitoista")
    assert address.words == ("asemakatu",), "number words are left to the digit check"


def test_a_number_cut_short_is_compared_whole() -> None:
    text = "numero on nolla viisi nolla seitsemän kuusi viisi neljä kolme kaksi yksi"
    start = text.index("nolla")
    cut = Span("PHONE", start, text.index("kuusi") - 1, 0.9, "test")  # the detector stopped early
    (target,) = targets_in(text, [cut])
    assert PHONE in target.digits
    rest = "neljä kolme kaksi yksi"
    assert echo_hits(rest, words_of(rest), [target]), "the rest of the number is an echo"


def test_targets_never_show_their_values() -> None:
    target = target_of("PHONE", "nolla viisi nolla seitsemän kuusi viisi neljä kolme kaksi yksi")
    assert PHONE not in repr(target) and "seitsemän" not in repr(target)
    assert repr(Target("PERSON", words=("virtanen",))) == "Target(type='PERSON')"


# -- words and confidences ------------------------------------------------------------------------------------
def test_timed_words_carry_probabilities_and_offsets() -> None:
    segs = [Segment(0.0, 1.0, "nolla neljä", (Word(0.0, 0.5, " nolla", 0.42), Word(0.5, 1.0, "neljä,", 0.9))),
            Segment(1.0, 2.0, "ilman sanoja", ())]
    text, words = timed_words(segs, channel=1)
    assert text == "nolla neljä, ilman sanoja"
    assert [(text[w.char_start:w.char_end], w.probability, w.channel) for w in words] == [
        ("nolla", 0.42, 1), ("neljä,", 0.9, 1), ("ilman sanoja", None, 1)]
    conf = word_confidences(words, shift=4)
    assert [(c.start, c.end, c.probability) for c in conf] == [(4, 9, 0.42), (10, 16, 0.9)]


# -- real model, real audio ------------------------------------------------------------------------------------
class RecordingAnalyzer:
    """The real analyzer, noting what each call was given (a real object wrapping a real object)."""

    def __init__(self, real: Any) -> None:
        self.real, self.calls = real, []

    def __getattr__(self, name: str) -> Any:  # its settings (thresholds) are the real analyzer's
        return getattr(self.real, name)

    def analyze(self, text: str, word_confidence: Any = None) -> list[Span]:
        self.calls.append((text, word_confidence))
        return self.real.analyze(text, word_confidence=word_confidence)


class TrimmingAnalyzer:
    """The real analyzer under-detecting on purpose: every span keeps only the first half of its words."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def analyze(self, text: str, word_confidence: Any = None) -> list[Span]:
        out = []
        for sp in self.real.analyze(text, word_confidence=word_confidence):
            words = text[sp.start:sp.end].split()
            kept = " ".join(words[:max(1, len(words) // 2)])
            out.append(dataclasses.replace(sp, end=sp.start + len(kept)))
        return out


@pytest.fixture(scope="module")
def base():
    from service.pipeline.build import RuntimeOptions, get_pipeline

    return get_pipeline(RuntimeOptions())


@pytest.fixture(scope="module")
def phone_audio():
    from models.audio import decode

    return decode(DATA / "phone.wav")


def variant(base: Any, analyzer: Any = None, **options: Any):
    from service.pipeline import Pipeline, PipelineOptions

    return Pipeline(base.transcriber, analyzer or base.analyzer, base.analyzer_info,
                    options=PipelineOptions(**options))


def activity(result: Any, stage: str) -> Any:
    return next((a for a in result.provenance if a.stage == stage), None)


@pytest.fixture(scope="module")
def off_result(base, phone_audio):
    return variant(base, self_verify="off").process(phone_audio)


@pytest.mark.slow
def test_under_redacted_audio_is_verified_and_extended_when_heard(base, phone_audio) -> None:
    margin = 3.0  # espeak digits are slow (~0.45 s): the clip's last four digits span about 2 s
    pipeline = variant(base, TrimmingAnalyzer(base.analyzer), self_verify="on", self_verify_margin_s=margin)
    result = pipeline.process(phone_audio)
    first = merge_ranges([r for t, res in zip(result.raw_turns, result.raw_results, strict=True)
                          for r in time_ranges(res.spans, t.words, pad=0.2, duration=phone_audio.duration)])
    assert first, "the trimmed detector still finds the start of the number"
    first_wav = pipeline._redacted(phone_audio, first).wav
    act = activity(result, "self_verify")
    assert act is not None
    assert act.used == {"redacted_audio": hashlib.sha256(first_wav).hexdigest()}
    assert activity(result, "redact_audio").generated["redacted_audio"] == act.used["redacted_audio"]
    assert act.generated["redacted_audio"] == hashlib.sha256(result.redacted_audio_wav).hexdigest()
    verdict = act.generated["verdict"]
    assert verdict in ("clean", "extended")
    final = result.redacted_ranges
    assert all(any(a <= s and e <= b for a, b in final) for s, e in first), "final ranges cover the first"
    added = final != first
    assert (verdict == "extended") == added == (result.redacted_audio_wav != first_wav)
    doc = result.transcript_json()
    assert doc["redacted_audio_ranges"] == [[round(a, 3), round(b, 3)] for a, b in final]
    info = act.agent.settings["self_verify"]
    assert info["mode"] == "on" and info["margin_s"] == margin and info["windows"] >= 1
    assert info["seconds_verified"] > 0 and info["asr_input"] == "redacted audio, ranges silenced"
    assert all(isinstance(k, str) and isinstance(v, int) for k, v in info["hits_by_type"].items())
    assert (sum(info["hits_by_type"].values()) > 0 and info["seconds_added"] > 0) == added
    assert act.agent.sha256 == base.transcriber.model_info.sha256, "the same weights listen again"
    assert act.agent.settings["self_verify"]["temperature"] == [0.0], "no temperature fallback on windows"
    again, _ = pipeline.detect_and_redact(result.raw_turns, [])
    assert [t.text for t in result.turns] == [r.text for r in again], "the text redaction does not change"
    prov = json.dumps(doc["provenance"], ensure_ascii=False)
    assert PHONE not in prov and not any(t.raw_text in prov for t in result.raw_turns)


@pytest.mark.slow
def test_off_records_no_activity(off_result) -> None:
    assert activity(off_result, "self_verify") is None and off_result.self_verify is None


@pytest.mark.slow
def test_auto_over_budget_is_skipped_and_recorded(base, phone_audio, off_result) -> None:
    result = variant(base, self_verify="auto", self_verify_budget=0.01).process(phone_audio)
    act = activity(result, "self_verify")
    assert act.generated["verdict"] == "skipped:budget"
    assert act.used["redacted_audio"] == act.generated["redacted_audio"]
    assert act.agent.settings["self_verify"]["seconds_verified"] == 0
    assert act.agent.settings["self_verify"]["planned_seconds"] > 0.01 * phone_audio.duration
    assert result.redacted_ranges == off_result.redacted_ranges
    assert result.redacted_audio_wav == off_result.redacted_audio_wav


@pytest.mark.slow
def test_word_probabilities_reach_the_analyzer_and_the_stored_words(base, call_audio) -> None:
    recorder = RecordingAnalyzer(base.analyzer)
    result = variant(base, recorder, self_verify="off").process(call_audio)
    assert len(recorder.calls) == len(result.raw_turns)
    shifted = 0
    for (text, conf), turn in zip(recorder.calls, result.raw_turns, strict=True):
        prefix = len(text) - len(turn.raw_text)
        shifted += prefix > 0
        assert text.endswith(turn.raw_text)
        assert [text[c.start:c.end] for c in conf] == [w.text for w in turn.words], "offsets into the given text"
        assert [c.probability for c in conf] == [w.probability for w in turn.words]
        assert all(0.0 <= c.probability <= 1.0 and c.start >= prefix for c in conf)
    assert shifted, "some turn was analysed after the previous turn's tail"
    detect = activity(result, "detect_and_redact_text").agent.settings
    assert (detect["word_confidence"], detect["low_confidence_threshold"]) == (True, 0.5)
    stored = [[w.to_dict() for w in turn.words] for turn in result.turns]  # the words as stored and shown
    for words in stored:
        for w in words:
            assert ("p" in w) != bool(w.get("redacted")), w
    plain = [w for words in stored for w in words if not w.get("redacted")]
    assert all(0.0 <= w["p"] <= 1.0 for w in plain)
    recorder.calls.clear()
    variant(base, recorder, low_confidence_redaction=False).detect_and_redact(result.raw_turns, [])
    assert recorder.calls and all(conf is None for _, conf in recorder.calls)


# -- settings and the CLI --------------------------------------------------------------------------------------
def test_settings_reach_the_pipeline_options(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.pipeline.build import options_from_settings, pipeline_options
    from service.platform.config import Settings

    s = Settings()
    assert (s.self_verify, s.self_verify_budget, s.low_confidence_redaction, s.low_confidence_threshold) == (
        "auto", 0.3, True, 0.5)
    for name, value in {"SELF_VERIFY": "off", "SELF_VERIFY_BUDGET": "0.1", "LOW_CONFIDENCE_REDACTION": "false",
                        "LOW_CONFIDENCE_THRESHOLD": "0.25"}.items():
        monkeypatch.setenv(f"PUHETURVA_{name}", value)
    runtime = options_from_settings(Settings())
    assert runtime.low_confidence_threshold == 0.25  # get_pipeline sets it on the analyzer it builds
    opts = pipeline_options(runtime)
    assert (opts.self_verify, opts.self_verify_budget, opts.low_confidence_redaction) == ("off", 0.1, False)
    monkeypatch.setenv("PUHETURVA_SELF_VERIFY", "sometimes")
    with pytest.raises(ValueError):
        Settings()


def run_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PUHETURVA_DATA_DIR": str(tmp_path / "var"), **env}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=full_env, timeout=600)


def test_cli_refuses_an_unknown_self_verify_mode(tmp_path: Path) -> None:
    p = run_cli(["process", str(DATA / "phone.wav"), "--self-verify", "sometimes"], tmp_path)
    assert p.returncode == 2 and p.stderr.startswith("error: ") and "Traceback" not in p.stderr


@pytest.mark.slow
def test_cli_option_overrides_the_setting(tmp_path: Path) -> None:
    p = run_cli(["process", str(DATA / "phone.wav"), "--json", "--self-verify", "on"], tmp_path,
                PUHETURVA_SELF_VERIFY="off")
    assert p.returncode == 0, p.stderr
    stages = {a["activity"]["stage"]: a for a in json.loads(p.stdout)["provenance"]}
    assert stages["self_verify"]["generated"]["verdict"] in ("clean", "extended")
    p = run_cli(["process", str(DATA / "phone.wav"), "--json"], tmp_path, PUHETURVA_SELF_VERIFY="off")
    assert p.returncode == 0, p.stderr
    assert "self_verify" not in {a["activity"]["stage"] for a in json.loads(p.stdout)["provenance"]}
