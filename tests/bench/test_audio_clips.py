"""The audio bench's clip renderer: two real clips through espeak-ng and sox, decoded by the product.

No ASR here (the bench itself runs it). Skipped only when the Debian tools are missing.
"""

from __future__ import annotations

import shutil
import wave
from dataclasses import dataclass

import numpy as np
import pytest

from bench.audio_clips import DEFAULT_SEED, plan_clips, speech_power, write_clip_set

pytestmark = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                reason="espeak-ng/sox not installed (bash scripts/system-deps.sh)")


@dataclass(frozen=True)
class Gold:
    type: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Line:  # the shape of bench.callgen.GeneratedLine (the renderer only reads id, text and gold)
    id: str
    text: str
    gold: tuple[Gold, ...]


def _line(lid: str, cue: str, spoken: str, typ: str | None, value: str) -> Line:
    text = f"{cue} {spoken}" if spoken else cue
    gold = (Gold(typ, len(cue) + 1, len(text), value),) if typ else ()
    return Line(lid, text, gold)


LINES = [
    _line("t-phone", "numeroni on", "nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän", "PHONE",
          "0401234567"),
    _line("t-person", "hyvää päivää täällä soittaa", "pekka nieminen", "PERSON", "Pekka Nieminen"),
    _line("t-clean", "internet ei toimi ollenkaan ja modeemi vilkkuu", "", None, "-"),
    _line("t-hetu", "henkilötunnukseni on", "yksi kaksi nolla neljä kuusi kuusi viiva viisi yksi kaksi hoo",
          "HETU", "120466-512H"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    specs = plan_clips(LINES, "dev", DEFAULT_SEED, 2)
    return write_clip_set(specs, tmp_path_factory.mktemp("clips") / "dev-test")


def test_both_renderings_decode_with_the_right_format_and_length(rendered) -> None:
    from models.audio import decode

    assert len(rendered.specs) == 2 and rendered.rendered == 2
    for spec in rendered.specs:
        p16, p8 = rendered.dirs["16k"] / f"{spec.id}.wav", rendered.dirs["8k"] / f"{spec.id}.wav"
        with wave.open(str(p16), "rb") as w:
            assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (16000, 2, 1)
        a16, a8 = decode(p16), decode(p8)
        assert (a16.source_codec, a16.source_sample_rate) == ("pcm_s16le", 16000)
        assert (a8.source_codec, a8.source_sample_rate) == ("pcm_mulaw", 8000)
        words = len(spec.text.split())
        expected = words * 60 / spec.speed  # roughly; espeak-ng adds some silence, long words take longer
        for a in (a16, a8):
            assert expected / 3 < a.duration < expected * 3 + 1, (spec.id, a.duration, expected)
        assert abs(a16.duration - a8.duration) < 0.05
        x = a8.channels[0].astype(np.float64)
        power = np.abs(np.fft.rfft(x)) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / a8.sample_rate)
        assert power[freqs > 4000].sum() < 1e-3 * power.sum()  # telephone band: nothing above 4 kHz
        assert speech_power(a16.channels[0].astype(np.float64), 16000) > 1e-4  # not silence


def test_clips_tsv_rows_match_the_files(rendered) -> None:
    by_id = {s.id: s for s in rendered.specs}
    for rate, d in rendered.dirs.items():
        rows = [r.split("\t") for r in (d / "clips.tsv").read_text(encoding="utf-8").splitlines()]
        assert [r[0] for r in rows] == [s.id for s in rendered.specs], rate
        for cid, typ, gold, text in rows:
            spec = by_id[cid]
            assert (typ, gold, text) == (spec.row_type, spec.row_value, spec.text)
            assert (d / f"{cid}.wav").stat().st_size > 1000
            for g in spec.gold:  # the gold span points at the spoken identifier
                assert text[g.start:g.end].strip()
        assert {p.stem for p in d.glob("*.wav")} == set(by_id)


def test_rendering_again_reuses_the_cache(rendered) -> None:
    again = write_clip_set(rendered.specs, rendered.root)
    assert again.rendered == 0


def test_plan_is_deterministic_for_a_seed() -> None:
    a = plan_clips(LINES, "dev", 7, 4)
    b = plan_clips(list(reversed(LINES)), "dev", 7, 4)
    assert [(s.id, s.text, s.voice, s.speed, s.pitch, s.noise, s.snr_db) for s in a] == \
        [(s.id, s.text, s.voice, s.speed, s.pitch, s.noise, s.snr_db) for s in b]
    assert plan_clips(LINES, "dev", 7, 2) == a[:2]  # a smaller run is a prefix of a larger one
    other = {s.id: (s.voice, s.speed, s.pitch) for s in plan_clips(LINES, "dev", 8, 4)}
    assert other != {s.id: (s.voice, s.speed, s.pitch) for s in a}
    assert sum(1 for s in a if not s.gold) == 1  # the clean line is picked among four


def test_generated_lines_give_every_type_and_clean_clips() -> None:
    from bench import callgen
    from bench.audio_clips import TYPES

    lines = callgen.generate(split="dev", style="spoken", seed=DEFAULT_SEED)
    specs = plan_clips(lines, "dev", DEFAULT_SEED, 100)
    assert specs == plan_clips(callgen.generate(split="dev", style="spoken", seed=DEFAULT_SEED), "dev",
                               DEFAULT_SEED, 100)
    assert len(specs) == 100
    types = {g.type for s in specs for g in s.gold}
    assert types >= set(TYPES)
    assert 10 <= sum(1 for s in specs if not s.gold) <= 20
    assert len({s.voice for s in specs}) >= 8 and len({s.speed for s in specs}) >= 10
