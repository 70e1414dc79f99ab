"""End-to-end leak score on the held-out spoken-identifier clips, scored by the workplace's own tool.

The clips and the scorer live in ``../shared`` (independent of this project's code). The real pipeline runs
in-process (models loaded once) and its redacted transcript is judged exactly as ``audio_leak.py`` judges a
``process --json`` output. What must hold on any CPU (``tests/leak_tool.py``): no identifier the ASR wrote out
verbatim leaks, and at most one it garbled; ``tests/isa/test_isa_matrix.py`` runs the same check under other
CPU instruction sets, whose ASR garbles the identifiers differently.
"""

from __future__ import annotations

import pytest

from tests.leak_tool import CLIPS, TOOL, assert_no_leak_that_must_not_happen, dev_clips, load_tool, score_dev_clips

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not TOOL.exists(), reason="../shared/tools/audio_leak.py not present")]


def test_no_identifier_leaks_and_clean_clips_stay_readable() -> None:
    from models.audio import decode
    from service.pipeline.build import RuntimeOptions, get_pipeline

    pipeline = get_pipeline(RuntimeOptions())
    results = {cid: pipeline.process(decode(CLIPS / f"{cid}.wav"), None) for cid, _, _ in dev_clips()}
    score = score_dev_clips(load_tool(), {cid: r.transcript_json() for cid, r in results.items()},
                            {cid: "\n".join(t.raw_text for t in r.raw_turns) for cid, r in results.items()})
    isa = pipeline.transcriber.model_info.settings["runtime"].get("cpu_isa")
    assert_no_leak_that_must_not_happen(score, f"ASR ISA {isa}")
    assert score.over == [], f"clean clips over-redacted (ASR ISA {isa}): {score.shown(score.over)}"
