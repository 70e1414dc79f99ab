"""Requests said in calls, through the service's own path: each labelled customer line becomes a scripted
two-channel call (agent greeting, then the customer's line), runs through ``Pipeline.process`` with the real
rights detector (the scripted ASR and a digit redactor stand in for the models), and the call's
``RightsItem`` records are scored against the line's labels, as the privacy officer's queue would receive them.

It measures what the detector benchmark (bench/rights_quality.py) cannot: that the stage reads only the
customer side of a redacted call, that every item's evidence (turn, time range from the words' times, cues) is
sound, how many false items the clean lines create, and the stage's cost beside the call-reason classifier's
(a ratio of the two stages' provenance durations in the same run; noisy on a shared machine).

    .venv/bin/python bench/rights_items_bench.py [--split test] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.classify import CallReasonClassifier  # noqa: E402
from models.rights_requests import RightsDetector  # noqa: E402
from service.pipeline import ProcessResult  # noqa: E402
from tests.service.fake_pipeline import fake_pipeline, stereo_audio  # noqa: E402

AGENT = "hyvää päivää kuinka voin auttaa"


def _script(line: str) -> dict[int, list[tuple[float, float, list[tuple[str, float, float]]]]]:
    def seg(text: str, t0: float) -> tuple[float, float, list[tuple[str, float, float]]]:
        words = [(w, round(t0 + 0.35 * i, 2), round(t0 + 0.35 * i + 0.3, 2)) for i, w in enumerate(text.split())]
        return (t0, words[-1][2], words)
    # Agent first, then the customer; the agent repeats the customer's line back once more after it, which
    # must not make an item (only customer turns are read).
    return {0: [seg(AGENT, 0.2), seg(line, 30.0)], 1: [seg(line, 3.0)]}


def _sound(result: ProcessResult) -> bool:
    """Every item sits in a customer turn, inside its time range, with cue words."""
    for item in result.rights_items:
        turn = result.turns[item.turn]
        if turn.speaker != "customer" or not (turn.start <= item.start < item.end <= turn.end) or not item.cues:
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    detector, classifier = RightsDetector.from_default(), CallReasonClassifier()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    unsound = clean_items = clean_calls = 0
    rights_s = classify_s = 0.0
    for split in (args.split, "clean"):
        rows = [json.loads(x) for x in (ROOT / "bench" / "data" / f"rights_{split}.jsonl").read_text().splitlines()]
        for row in rows[: args.limit or None]:
            pipe = fake_pipeline(script=_script(row["text"]), rights_detector=detector)
            pipe.classifier = classifier
            result = pipe.process(stereo_audio())
            unsound += not _sound(result)
            acts = {a.stage: (a.ended_at - a.started_at).total_seconds() for a in result.provenance}
            rights_s += acts["detect_rights"]
            classify_s += acts["classify"]
            got = Counter((i.kind, i.channel) for i in result.rights_items)
            want = Counter((lab["kind"], lab["channel"]) for lab in row["labels"])
            if split == "clean":
                clean_calls += 1
                clean_items += sum(got.values())
                continue
            for (kind, _ch), n in (got & want).items():
                tp[kind] += n
            for (kind, _ch), n in (got - want).items():
                fp[kind] += n
            for (kind, _ch), n in (want - got).items():
                fn[kind] += n
    print(f"split {args.split} (calls through Pipeline.process; a marketing item counts only with its channel)")
    print(f"{'kind':24} {'P':>6} {'R':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for kind in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        print(f"{kind:24} {p:6.3f} {r:6.3f} {tp[kind]:4d} {fp[kind]:4d} {fn[kind]:4d}")
    print(f"clean calls: {clean_calls}, false items: {clean_items}")
    print(f"calls with unsound evidence (not a customer turn, time outside the turn, no cues): {unsound}")
    print(f"rights stage / call-reason stage time, summed over all calls: {rights_s / classify_s:.2f} "
          f"({rights_s:.2f} s / {classify_s:.2f} s; same run, noisy shared CPU)")


if __name__ == "__main__":
    main()
