"""End-to-end leak score on the held-out spoken-identifier clips, scored by the workplace's own tool.

The clips and the scorer live in ``../shared`` (independent of this project's code). The real pipeline runs
in-process (models loaded once) and its redacted transcript is judged exactly as ``audio_leak.py`` judges a
``process --json`` output.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"
CLIPS = SHARED / "dev_audio"
TOOL = SHARED / "tools" / "audio_leak.py"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not TOOL.exists(), reason="../shared/tools/audio_leak.py not present")]


def _tool():
    spec = importlib.util.spec_from_file_location("audio_leak", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_no_identifier_leaks_and_clean_clips_stay_readable() -> None:
    from models.audio import decode
    from service.runtime import RuntimeOptions, get_pipeline

    tool = _tool()
    pipeline = get_pipeline(RuntimeOptions())
    leaked, over, n = [], [], 0
    for line in (CLIPS / "clips.tsv").read_text(encoding="utf-8").splitlines():
        cid, typ, gold, _ = line.split("\t")
        doc = pipeline.process(decode(CLIPS / f"{cid}.wav"), None).transcript_json()
        text = tool.text_of(doc)
        if typ == "NONE":
            toks = re.findall(r"\[[^\]]*\]|<[^>]*>|\w+", text)  # the tool's own tokenisation
            masked = [t for t in toks if t[0] in "[<" or set(t) <= set("*#X")]
            if not toks or len(masked) > 0.3 * len(toks):
                over.append(cid)
            continue
        n += 1
        if tool.leaks(typ, gold, text):
            leaked.append(f"{cid}:{typ}")
    assert n == 10
    assert leaked == [], f"identifiers leaked end to end: {leaked}"
    assert over == [], f"clean clips over-redacted: {over}"
