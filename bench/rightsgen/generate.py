"""Write the labelled rights-request set: bench/data/rights_{train,dev,test,heldout,clean}.jsonl.

Each row: ``{"id", "split", "text", "labels": [{"kind", "channel"}], "template", "style"}``. ``labels`` is empty
for hard negatives and clean lines. Styles imitate what reaches the detector: ``written`` (capitalised,
punctuated), ``asr`` (lower case, no punctuation, like Whisper on a phone line), ``spoken`` (``asr`` plus
fillers and a polite or hesitant opening). Seeded, so the files are reproducible:

    .venv/bin/python -m bench.rightsgen.generate [--per-template N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from bench.rightsgen.templates import CHANNEL_FORMS, CLEAN, DEV, HELDOUT, TEST, TRAIN

OUT = Path(__file__).resolve().parent.parent / "data"
_SLOT_RE = re.compile(r"\{([^{}]*)\}")
_OPENINGS = ("", "", "joo ", "hei ", "tota ", "öö ", "niin ", "kuulkaa ", "hei mulla on asia ", "no ")
_FILLERS = ("öö", "tota", "niinku", "siis", "että", "nii")
STYLES = ("written", "asr", "spoken")
_QUESTION_WORDS = frozenset({"mitä", "mikä", "miten", "mihin", "millaisia", "saanko", "voinko", "onko"})


def expand(pattern: str, rng: random.Random) -> tuple[str, str | None]:
    """Fill every ``{a|b}`` and ``{@CASE}``; return the text and the channel picked (None: no channel slot)."""
    channel: list[str | None] = [None]

    def pick(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("@"):
            form = body[1:].rstrip("?")
            options = list(CHANNEL_FORMS[form]) + (["all"] if body.endswith("?") else [])
            ch = rng.choice(options)
            channel[0] = ch
            return "" if ch == "all" else rng.choice(CHANNEL_FORMS[form][ch])
        return rng.choice(body.split("|"))

    text = re.sub(r"\s+", " ", _SLOT_RE.sub(pick, pattern)).strip()
    return text, channel[0]


def styled(text: str, style: str, rng: random.Random) -> str:
    if style == "written":
        question = re.match(r"\w+(ko|kö|kin)\b", text) is not None or text.split()[0] in _QUESTION_WORDS
        return text[:1].upper() + text[1:] + ("?" if question else rng.choice((".", ".", "!")))
    words = text.lower().split()
    if style == "spoken":
        if len(words) > 3 and rng.random() < 0.6:
            words.insert(rng.randrange(1, len(words)), rng.choice(_FILLERS))
        return (rng.choice(_OPENINGS) + " ".join(words)).strip()
    return " ".join(words)


def rows_for(split: str, templates: tuple[tuple[str, str | None], ...], per_template: int,
             rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for t_index, (pattern, kind) in enumerate(templates):
        for n in range(per_template * 4):
            if sum(r["template"] == t_index for r in rows) >= per_template:
                break
            text, channel = expand(pattern, rng)
            style = STYLES[n % len(STYLES)]
            line = styled(text, style, rng)
            if line in seen:
                continue
            seen.add(line)
            labels = [] if kind is None else [_label(kind, channel)]
            rows.append({"id": f"{split}-{len(rows):04d}", "split": split, "text": line, "labels": labels,
                         "template": t_index, "style": style})
    return rows


def _label(spec: str, channel: str | None) -> dict[str, str | None]:
    kind, _, fixed = spec.partition(":")
    if not kind.startswith("marketing_"):
        return {"kind": kind, "channel": None}
    return {"kind": kind, "channel": fixed or channel or "all"}


def clean_rows(rng: random.Random) -> list[dict[str, object]]:
    return [{"id": f"clean-{i:04d}", "split": "clean", "text": styled(text, STYLES[i % 3], rng),
             "labels": [], "template": -1, "style": STYLES[i % 3]} for i, text in enumerate(CLEAN)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-template", type=int, default=8)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    for split, rows in (("train", rows_for("train", TRAIN, args.per_template, rng)),
                        ("dev", rows_for("dev", DEV, args.per_template, rng)),
                        ("test", rows_for("test", TEST, args.per_template, rng)),
                        ("clean", clean_rows(rng)),
                        # its own generator, so adding it left the other four files byte for byte as they were
                        ("heldout", rows_for("heldout", HELDOUT, args.per_template,
                                             random.Random(f"heldout-{args.seed}")))):
        path = OUT / f"rights_{split}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(OUT.parent.parent)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
