"""``python -m bench.callgen --split dev --style spoken [--seed 2026] [--n N] [--out FILE]``: markup lines.

The output reads with ``bench._corpus.read_corpus`` (``#`` lines are comments): a header with seed, split,
style and counts, then one ``[[TYPE|surface]]`` line per generated line.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bench.callgen import DEFAULT_SEED, STYLES, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.callgen", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--style", choices=STYLES, default="written")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n", type=int, default=None, help="only the first N lines")
    parser.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    args = parser.parse_args(argv)

    lines = generate(split=args.split, style=args.style, seed=args.seed, n=args.n)
    types = Counter(g.type for line in lines for g in line.gold)
    with_ids = sum(1 for line in lines if line.gold)
    header = [
        f"# bench.callgen seed={args.seed} split={args.split} style={args.style}",
        f"# lines={len(lines)} identifier_lines={with_ids} clean_lines={len(lines) - with_ids} "
        f"identifiers={sum(types.values())}",
        "# " + " ".join(f"{t}={types[t]}" for t in sorted(types)),
        "# markup: [[TYPE|surface text]]; synthetic data, every identifier generated",
    ]
    body = "\n".join(header + [line.markup() for line in lines]) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)


if __name__ == "__main__":
    main()
