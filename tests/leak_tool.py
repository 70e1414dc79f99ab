"""The workplace's own leak scorer (``/work/shared/tools/audio_leak.py``) applied to pipeline output.

One definition of "scored exactly as the tool scores ``process --json``", for the in-process leak test and
the per-ISA matrix: the tool's ``text_of`` picks the redacted text out of a document, its ``leaks`` says
whether an identifier is recoverable from it, and a clip without identifiers must keep 70 % of its tokens.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

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


def over_redacted(text: str) -> bool:
    """The tool's 70 % rule for a clip without identifiers (its own tokenisation)."""
    toks = re.findall(r"\[[^\]]*\]|<[^>]*>|\w+", text)
    masked = [t for t in toks if t[0] in "[<" or set(t) <= set("*#X")]
    return not toks or len(masked) > 0.3 * len(toks)


@dataclass
class Score:
    """``leaked``: ``clip:TYPE`` of each leak; ``over``: clean clips over-redacted; ``texts``: the judged text."""

    n: int = 0
    leaked: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def shown(self, keys: list[str]) -> str:
        return "; ".join(f"{k} -> {self.texts[k.split(':')[0]]!r}" for k in keys)


def score_dev_clips(tool: ModuleType, docs: Mapping[str, dict[str, Any]]) -> Score:
    """Score the pipeline's documents of the dev clips (``{clip id: transcript document}``)."""
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
    return score
