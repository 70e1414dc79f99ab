"""Put it together: pick templates for a split, fill their slots, render every line three ways.

A line is planned once per (split, seed) as a list of pieces, each holding its written, lower and spoken
text, so the three styles of one id are the same line and the gold offsets follow from the pieces. All
randomness comes from ``random.Random`` seeded with the seed and split, and from a Faker seeded likewise.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

from faker import Faker

from bench.callgen.fillers import FillerMaker
from bench.callgen.identifiers import Identifier, IdentifierMaker
from bench.callgen.lines import STYLES, GeneratedLine, GoldSpan
from bench.callgen.numerals import Reading
from bench.callgen.pools import Pools
from bench.callgen.speech import lower_identifier, lower_text, spoken_identifier
from bench.callgen.split import SPLITS, partition
from bench.callgen.templates import IDENTIFIER_GROUPS, SLOT, TEMPLATES, Template

DEFAULT_SEED = 2026
# (identifier lines, clean lines) per split: over 2,000 of each in all, dev holds 30 %.
SIZES = {"train": (1700, 1700), "dev": (800, 800)}
# How often each group of identifier templates is used: names, addresses and phone numbers most, as in calls.
GROUP_WEIGHTS = {"person": 19, "address": 15, "phone": 17, "email": 8, "hetu": 8, "iban": 6, "card": 6,
                 "ytunnus": 6, "customer_number": 7, "pair": 10}
MAX_SAME_CLEAN = 4  # a clean template without slots is one fixed line: use it a few times per split, not 20
EMAIL_FROM_LINE_NAME = 0.7  # "Pekka Nieminen ja sähköposti pekka.nieminen@…": the same person, usually


@dataclass(frozen=True)
class Piece:
    """A stretch of a line in every rendering; ``type``/``value`` are set for an identifier."""

    written: str
    lower: str
    spoken: str
    type: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class LinePlan:
    id: str
    split: str
    speaker: str
    pieces: tuple[Piece, ...]


def templates_for(split: str, group: str) -> list[Template]:
    return partition(TEMPLATES[group], "id", split, name=group)


class _LineBuilder:
    """Fills one template's slots; names drawn for the line are shared by its slots."""

    def __init__(self, maker: IdentifierMaker, fillers: FillerMaker, rng: random.Random, reading: Reading):
        self.maker = maker
        self.fillers = fillers
        self.rng = rng
        self.reading = reading
        self.names: tuple[str, str] | None = None

    def build(self, template: Template) -> list[Piece]:
        pieces, pos = [], 0
        for m in SLOT.finditer(template.text):
            pieces.append(_plain(template.text[pos:m.start()]))
            pieces.append(self._slot(m.group(1), m.group(2) or ""))
            pos = m.end()
        pieces.append(_plain(template.text[pos:]))
        return pieces

    def _slot(self, name: str, form: str) -> Piece:
        if not name.isupper():
            f = self.fillers.make(name, form)
            return Piece(f.written, f.lower, f.spoken)
        ident = self._identifier(name, form)
        return Piece(ident.written, lower_identifier(ident), spoken_identifier(ident, self.reading, self.rng),
                     ident.type, ident.value)

    def _identifier(self, name: str, form: str) -> Identifier:
        m = self.maker
        if name in ("PERSON", "FIRST", "SURNAME"):
            kind = {"PERSON": "full", "FIRST": "first", "SURNAME": "surname"}[name]
            ident, self.names = m.person(f"{kind}:{form or 'nom'}", self.names)
            return ident
        if name == "EMAIL":
            use_line_name = self.names is not None and self.rng.random() < EMAIL_FROM_LINE_NAME
            return m.email(self.names if use_line_name else None)
        if name == "ADDRESS":
            return m.address(form or "any")
        if name in ("PHONE", "IBAN", "CARD"):
            return getattr(m, name.lower())(form or "any")
        return getattr(m, name.lower())()


def _clean_templates(templates: list[Template], k: int, rng: random.Random) -> list[Template]:
    """Clean templates for ``k`` lines. One without slots renders the same line every time, so it is used
    at most ``MAX_SAME_CLEAN`` times; lines with fillers vary and carry the rest."""
    uses: dict[str, int] = {}
    out = []
    while len(out) < k:
        t = rng.choice(templates)
        if "{" not in t.text:
            if uses.get(t.id, 0) >= MAX_SAME_CLEAN:
                continue
            uses[t.id] = uses.get(t.id, 0) + 1
        out.append(t)
    return out


def _plain(text: str) -> Piece:
    low = lower_text(text)
    return Piece(text, low, low)


@functools.lru_cache(maxsize=8)
def plan(split: str, seed: int = DEFAULT_SEED) -> tuple[LinePlan, ...]:
    """Every line of a split, in a seeded random order (so any prefix is a fair sample of the whole)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (expected one of {SPLITS})")
    rng = random.Random(f"callgen:{seed}:{split}")
    fake = Faker("fi_FI")
    fake.seed_instance(rng.getrandbits(64))
    pools = Pools(split, fake, rng)
    maker = IdentifierMaker(pools, fake, rng)
    n_ident, n_clean = SIZES[split]
    groups = {g: templates_for(split, g) for g in (*IDENTIFIER_GROUPS, "clean")}
    chosen = [rng.choice(groups[g]) for g in rng.choices(list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values()),
                                                         k=n_ident)]
    chosen += _clean_templates(groups["clean"], n_clean, rng)
    rng.shuffle(chosen)
    plans = []
    for i, template in enumerate(chosen):
        reading = Reading.draw(rng)
        builder = _LineBuilder(maker, FillerMaker(pools, rng, reading), rng, reading)
        plans.append(LinePlan(f"{split}-{i:05d}-{template.id}", split, template.speaker,
                              tuple(builder.build(template))))
    return tuple(plans)


def render(line: LinePlan, style: str) -> GeneratedLine:
    """One planned line in one style, with gold offsets exact to the character."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (expected one of {STYLES})")
    chars: list[str] = []
    owner: list[int] = []  # index of the identifier piece a character belongs to, -1 for plain text
    for k, piece in enumerate(line.pieces):
        text = getattr(piece, style)
        if piece.type is None and text.startswith(".") and chars and chars[-1] == ".":
            text = text[1:]  # "… 12.3." + "." : one full stop
        chars += text
        owner += [k if piece.type else -1] * len(text)
    text, owner = _collapse_spaces(chars, owner)
    if style == "written" and text and owner[0] == -1:
        text = text[0].upper() + text[1:]
    gold = []
    for k, piece in enumerate(line.pieces):
        if piece.type:
            at = [i for i, o in enumerate(owner) if o == k]
            gold.append(GoldSpan(piece.type, at[0], at[-1] + 1, piece.value or ""))
    return GeneratedLine(line.id, line.split, style, line.speaker, text, tuple(gold))


def _collapse_spaces(chars: list[str], owner: list[int]) -> tuple[str, list[int]]:
    out_c: list[str] = []
    out_o: list[int] = []
    for c, o in zip(chars, owner, strict=True):
        if c.isspace():
            if not out_c or out_c[-1] == " ":
                continue
            c = " "
        out_c.append(c)
        out_o.append(o)
    while out_c and out_c[-1] == " ":
        out_c.pop()
        out_o.pop()
    text = "".join(out_c)
    if re.search(r" [,.?!]", text):  # punctuation after a removed piece: "kiitos ." -> "kiitos."
        keep = [i for i in range(len(out_c)) if not (out_c[i] == " " and i + 1 < len(out_c)
                                                      and out_c[i + 1] in ",.?!" and out_o[i + 1] == -1)]
        text = "".join(out_c[i] for i in keep)
        out_o = [out_o[i] for i in keep]
    return text, out_o


def generate(split: str = "dev", style: str = "written", seed: int = DEFAULT_SEED,
             n: int | None = None) -> list[GeneratedLine]:
    """The split's lines in one style: ``n`` first of them (a seeded random sample), or all."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (expected one of {STYLES})")
    plans = plan(split, seed)
    return [render(p, style) for p in (plans if n is None else plans[:n])]
