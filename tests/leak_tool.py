"""The workplace's own leak scorer (``/work/shared/tools/audio_leak.py``) applied to pipeline output.

One definition of "scored exactly as the tool scores ``process --json``", for the in-process leak test and
the per-ISA matrix: the tool's ``text_of`` picks the redacted text out of a document, its ``leaks`` says
whether an identifier is recoverable from it, and a clip without identifiers must keep 70 % of its tokens.

What must hold on every CPU, and what cannot: an identifier the ASR wrote out verbatim (every digit, every
word of the name) is text the detector must redact, whatever the CPU, so such a leak always fails. A
garbled one ("tiin" for Tiina, "lain" for Laine) is a different garble on each CPU's int8 kernels; the
tests allow ``GARBLED_LEAK_TOLERANCE`` of those per run, warn with what leaked, and the generated audio bench
(``bench/audio_leak_bench.py``) measures the rate on many more clips.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench._corpus import over_redacted

GARBLED_LEAK_TOLERANCE = 1  # leaks of identifiers the ASR garbled, per run of the ten dev clips
NUMBER_TYPES = frozenset({"HETU", "PHONE", "IBAN", "CARD"})
SHARED = Path(__file__).resolve().parents[2] / "shared"
CLIPS = SHARED / "dev_audio"
TOOL = SHARED / "tools" / "audio_leak.py"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audio_leak", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def dev_clips() -> list[tuple[str, str, str]]:
    """``(clip id, identifier type, identifier)`` of every row of ``clips.tsv``; type ``NONE``: no identifier."""
    rows = (line.split("\t") for line in (CLIPS / "clips.tsv").read_text(encoding="utf-8").splitlines())
    return [(cid, typ, gold) for cid, typ, gold, _spoken in rows]


def heard_verbatim(tool: ModuleType, typ: str, gold: str, raw: str) -> bool:
    """The ASR wrote the identifier out: all its digits in a row (as digits or digit words, read by the tool),
    or every word of it the tool scores, exactly."""
    if typ in NUMBER_TYPES:
        return re.sub(r"\D", "", gold) in tool.digits(raw)
    words = set(re.findall(r"[a-zåäö]+", raw.lower()))
    gold_words = [w for w in re.findall(r"[a-zåäö]+", gold.lower()) if len(w) >= 4 and w not in ("gmail", "com")]
    return bool(gold_words) and all(w in words for w in gold_words)


@dataclass
class Score:
    """``leaked``: ``clip:TYPE`` of each leak; ``leaked_verbatim``: those the ASR had written out verbatim;
    ``over``: clean clips over-redacted; ``texts``: the judged text."""

    n: int = 0
    leaked: list[str] = field(default_factory=list)
    leaked_verbatim: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def shown(self, keys: list[str]) -> str:
        return "; ".join(f"{k} -> {self.texts[k.split(':')[0]]!r}" for k in keys)


def score_dev_clips(tool: ModuleType, docs: Mapping[str, dict[str, Any]], raw: Mapping[str, str]) -> Score:
    """Score the pipeline's documents of the dev clips (``{clip id: transcript document}``) against what
    the ASR heard (``{clip id: unredacted transcript}``)."""
    score = Score()
    for cid, typ, gold in dev_clips():
        text = score.texts[cid] = tool.text_of(docs[cid])
        if typ == "NONE":
            if over_redacted(text):
                score.over.append(cid)
            continue
        score.n += 1
        if tool.leaks(typ, gold, text):
            score.leaked.append(f"{cid}:{typ}")
            if heard_verbatim(tool, typ, gold, raw[cid]):
                score.leaked_verbatim.append(f"{cid}:{typ}")
    return score


def assert_no_leak_that_must_not_happen(score: Score, where: str) -> None:
    """No verbatim identifier leaks; at most ``GARBLED_LEAK_TOLERANCE`` garbled ones, each reported."""
    assert score.n == 10
    assert score.leaked_verbatim == [], (f"identifiers the ASR wrote out verbatim leaked ({where}): "
                                         f"{score.shown(score.leaked_verbatim)}")
    assert len(score.leaked) <= GARBLED_LEAK_TOLERANCE, f"garbled identifiers leaked ({where}): " \
        f"{score.shown(score.leaked)}"
    if score.leaked:
        warnings.warn(f"a garbled identifier leaked ({where}): {score.shown(score.leaked)}", stacklevel=2)
