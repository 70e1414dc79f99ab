"""Writes bench/data/call_reason_{train,dev,test}.jsonl: labelled call-reason lines from ``phrasings``.

Each line is one customer turn built from a template of its split, optionally wrapped in a greeting, an
identifier given as a redaction placeholder, and a label-neutral agent reply (a second line), in clean or
ASR style (lower case, no punctuation, fillers, a few misspelt words). Greetings, closings, agent replies
and filler words have their own train, dev and test pools too. Seeded: the same command writes the same files
(each split and label has its own random stream, so editing one split's templates leaves the others as they were).
``test`` is the untuned third split (see ``phrasings``).

    .venv/bin/python -m bench.reasongen.generate [--seed 14] [--train-per-label 600] [--dev-per-label 60]
        [--test-per-label 40]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from bench.reasongen.fillers import CASES, SLOTS, device, service
from bench.reasongen.phrasings import TEMPLATES

OUT_DIR = Path(__file__).resolve().parents[1] / "data"
SLOT = re.compile(r"\{([a-z]+)(?::([a-z]))?\}")

_WRAP: dict[str, dict[str, tuple[str, ...]]] = {
    "prefix": {"train": ("Hei.", "Moi.", "Hyvää päivää, täällä [HENKILÖ].", "Joo, tota.",
                         "Asiakasnumero on [ASIAKASNUMERO].", "Hei, mun nimi on [HENKILÖ].", "Hei, tässä [HENKILÖ].",
                         "Joo hei.", "Hyvää huomenta.", "Moi, [HENKILÖ] täällä.", "Niin, tota noin."),
               "dev": ("Päivää.", "Huomenta, [HENKILÖ] soittaa.", "No niin, öö.", "Hei vaan.",
                       "Iltapäivää, tässä [HENKILÖ].", "Moikka, asiakasnumero [ASIAKASNUMERO]."),
               "test": ("Terve.", "Hyvää iltaa, puhelimessa [HENKILÖ].", "Joo moi.", "Öö hei.",
                        "Asiakasnumeroni on [ASIAKASNUMERO].")},
    "suffix": {"train": ("Kiitos.", "Numeroni on [PUHELIN].", "Hetu on [HETU].", "Kiitos etukäteen.",
                         "Tavoitatte numerosta [PUHELIN].", "Asiakasnumero on [ASIAKASNUMERO]."),
               "dev": ("Kiitti.", "Voitte soittaa numeroon [PUHELIN].", "Sähköposti on [SÄHKÖPOSTI]."),
               "test": ("Kiitos paljon.", "Mun sähköposti on [SÄHKÖPOSTI].", "Syntymäaika [HETU].")},
    "agent": {"train": ("Selvä, katsotaan.", "Hetkinen, tarkistan.", "Joo, hoidetaan.", "Selvä, autetaan.",
                        "Okei, katson tätä.", "Jep, tutkitaan."),
              "dev": ("Okei, katsotaanpa asiaa.", "Kiitos, odota hetki.", "Ymmärrän, selvitetään."),
              "test": ("Selvä, tarkistetaan tilanne.", "Hetki, katson järjestelmästä.", "Joo, katsotaan yhdessä.")},
    "filler": {"train": ("tota", "niinku", "öö", "no", "kato"), "dev": ("siis", "et", "ööm", "nii"),
               "test": ("ää", "tuota", "elikkä")},
}
_SIMILAR = {"d": "t", "t": "d", "ä": "e", "ö": "o", "y": "u", "k": "g", "p": "b", "i": "e"}


def fill(template: str, split: str, rng: random.Random) -> str:
    """Replace every slot with a value from the split's pool (a service or device in the asked case)."""
    def value(m: re.Match[str]) -> str:
        name, case = m.group(1), m.group(2)
        if name in {"s", "d"}:
            forms = rng.choice(service(split) if name == "s" else device(split))
            return forms[CASES.index(case or "n")]
        return rng.choice(SLOTS[name][split])
    text = SLOT.sub(value, template)
    return text[0].upper() + text[1:]


def asr_style(text: str, split: str, rng: random.Random) -> str:
    """Whisper-like: lower case, no punctuation, some fillers, a few misspelt longer words."""
    words = re.findall(r"\[[^\]]+\]|[\wåäö][\wåäö:-]*", text)
    out: list[str] = []
    for w in (w if w.startswith("[") else w.lower() for w in words):  # placeholders come after ASR
        if rng.random() < 0.08:
            out.append(rng.choice(_WRAP["filler"][split]))
        if not w.startswith("[") and len(w) >= 5 and rng.random() < 0.08:
            i = rng.randrange(1, len(w) - 1)
            op = rng.choice(("drop", "double", "similar"))
            if op == "drop":
                w = w[:i] + w[i + 1:]
            elif op == "double":
                w = w[:i] + w[i] + w[i:]
            elif w[i] in _SIMILAR:
                w = w[:i] + _SIMILAR[w[i]] + w[i + 1:]
        out.append(w)
    return " ".join(out)


def one_line(template: str, split: str, rng: random.Random) -> tuple[str, str]:
    parts = [fill(template, split, rng)]
    if rng.random() < 0.45:
        parts.insert(0, rng.choice(_WRAP["prefix"][split]))
    if rng.random() < 0.25:
        parts.append(rng.choice(_WRAP["suffix"][split]))
    style = "asr" if rng.random() < 0.6 else "clean"
    customer = " ".join(parts)
    lines = [asr_style(customer, split, rng) if style == "asr" else customer]
    if rng.random() < 0.3:
        agent = rng.choice(_WRAP["agent"][split])
        lines.append(asr_style(agent, split, rng) if style == "asr" else agent)
    return style, "\n".join(lines)


def generate(split: str, per_label: int, seed: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for label, by_split in TEMPLATES.items():
        rng = random.Random(f"{seed}:{split}:{label}")
        templates = by_split[split]
        seen: set[str] = set()
        attempt = 0
        while len(seen) < per_label and attempt < per_label * 50:
            idx = attempt % len(templates)
            attempt += 1
            style, text = one_line(templates[idx], split, rng)
            if text in seen:
                continue
            seen.add(text)
            rows.append({"id": f"{label}-{split}-{len(seen):03d}", "label": label, "split": split,
                         "style": style, "template": f"{label}/{split}/{idx:02d}", "text": text})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--train-per-label", type=int, default=600)
    ap.add_argument("--dev-per-label", type=int, default=60)
    ap.add_argument("--test-per-label", type=int, default=40)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", args.train_per_label), ("dev", args.dev_per_label),
                     ("test", args.test_per_label)):
        rows = generate(split, n, args.seed)
        path = args.out / f"call_reason_{split}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(f"{path.relative_to(args.out.parent.parent)}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
