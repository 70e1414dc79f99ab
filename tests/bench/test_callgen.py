"""The call-line generator: deterministic, valid gold, an honest train/dev split, exact spans in every style.

Real generation end to end (Faker, stdnum, phonenumbers, Voikko); no mocks. Generating both splits takes a
second or two and is shared by the module.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from stdnum import iban, luhn
from stdnum.fi import hetu, ytunnus

from bench._corpus import parse_line, read_corpus
from bench.callgen import STYLES, GeneratedLine, generate
from bench.callgen.__main__ import main as cli
from bench.callgen.identifiers import TYPES, phone_value
from bench.callgen.inflect import inflect_name, inflect_street
from bench.callgen.numerals import Reading, cardinal, read_digits
from bench.callgen.split import split_of

SPLITS = ("train", "dev")
STREET_TYPES = re.compile(r"(tie|katu|polku|kuja|bulevardi)$")


@pytest.fixture(scope="module")
def corpus() -> dict[tuple[str, str], list[GeneratedLine]]:
    return {(split, style): generate(split=split, style=style) for split in SPLITS for style in STYLES}


def test_same_seed_same_lines_other_seed_other_lines() -> None:
    a = generate(split="dev", style="spoken", seed=7, n=150)
    assert a == generate(split="dev", style="spoken", seed=7, n=150)
    assert a[:40] == generate(split="dev", style="spoken", seed=7, n=40)  # a smaller run is a prefix
    assert [line.text for line in generate(split="dev", style="spoken", seed=8, n=150)] != [line.text for line in a]


def test_same_id_is_the_same_line_in_every_style(corpus) -> None:
    for split in SPLITS:
        written, lower, spoken = (corpus[split, style] for style in STYLES)
        assert [x.id for x in written] == [x.id for x in lower] == [x.id for x in spoken]
        for w, low, s in zip(written, lower, spoken, strict=True):
            assert [(g.type, g.value) for g in w.gold] == [(g.type, g.value) for g in low.gold] \
                == [(g.type, g.value) for g in s.gold]
            assert w.speaker == low.speaker == s.speaker and w.split == split


def test_written_gold_validates(corpus) -> None:
    checks = {"HETU": hetu.is_valid, "IBAN": iban.is_valid, "YTUNNUS": ytunnus.is_valid,
              "CARD": lambda s: luhn.is_valid(re.sub(r"\D", "", s)) and 12 <= len(re.sub(r"\D", "", s)) <= 19}
    for split in SPLITS:
        for line in corpus[split, "written"]:
            for g in line.gold:
                surface = line.text[g.start:g.end]
                if g.type in checks:
                    assert checks[g.type](surface), (g.type, surface, line.id)
                    assert checks[g.type](g.value), (g.type, g.value, line.id)
                elif g.type == "PHONE":
                    assert phone_value(surface) == g.value, (surface, g.value, line.id)


def test_train_and_dev_share_no_name_street_city_or_template(corpus) -> None:
    seen: dict[str, dict[str, set[str]]] = {}
    for split in SPLITS:
        kinds: dict[str, set[str]] = {"name": set(), "street": set(), "city": set(), "template": set()}
        for line in corpus[split, "written"]:
            kinds["template"].add(line.template_id)
            for g in line.gold:
                if g.type == "PERSON":  # first names and surnames, and each part of "Anna-Liisa Holm-Aho"
                    words = set(re.split(r"[ -]", g.value))
                    kinds["name"] |= words
                    assert {split_of(w) for w in words} == {split}, g.value
                elif g.type == "ADDRESS":
                    street = re.split(r" \d", g.value, maxsplit=1)[0]
                    kinds["street"].add(STREET_TYPES.sub("", street).strip())
                    city = re.search(r", \d{5} (.+)$", g.value)
                    if city:
                        kinds["city"].add(city.group(1))
        seen[split] = kinds
    for kind in ("name", "street", "city", "template"):
        assert seen["train"][kind] and seen["dev"][kind], kind
        assert not seen["train"][kind] & seen["dev"][kind], kind


def test_every_type_in_every_split_and_style_with_both_speakers(corpus) -> None:
    for (split, style), lines in corpus.items():
        types = Counter(g.type for line in lines for g in line.gold)
        assert set(types) == set(TYPES), (split, style)
        assert {line.speaker for line in lines if line.gold} == {"agent", "customer"}
        assert {line.speaker for line in lines if not line.gold} == {"agent", "customer"}
        assert sum(1 for line in lines if len(line.gold) >= 2) >= 50  # lines with two identifiers


def test_sizes_and_type_mix(corpus) -> None:
    ident = {s: sum(1 for line in corpus[s, "written"] if line.gold) for s in SPLITS}
    clean = {s: sum(1 for line in corpus[s, "written"] if not line.gold) for s in SPLITS}
    assert sum(ident.values()) >= 2000 and sum(clean.values()) >= sum(ident.values())
    assert ident["dev"] >= 600 and clean["dev"] >= 600
    for split in SPLITS:
        types = Counter(g.type for line in corpus[split, "written"] for g in line.gold)
        assert {t for t, _ in types.most_common(3)} == {"PERSON", "ADDRESS", "PHONE"}, types
        assert min(types.values()) >= 30, types


def test_spoken_identifiers_have_no_digits(corpus) -> None:
    for split in SPLITS:
        for line in corpus[split, "spoken"]:
            for g in line.gold:
                assert not re.search(r"[0-9]", line.text[g.start:g.end]), line.markup()
            assert line.text == line.text.lower()


def test_lower_keeps_digits_and_drops_case(corpus) -> None:
    lines = corpus["dev", "lower"]
    assert all(line.text == line.text.lower() for line in lines)
    numbers = [line for line in lines for g in line.gold if g.type in ("PHONE", "HETU", "CARD")]
    assert numbers and all(re.search(r"\d", line.text) for line in numbers)


def test_markup_round_trips(corpus) -> None:
    for lines in corpus.values():
        for line in lines:
            parsed = parse_line(line.markup())
            assert parsed.text == line.text
            assert [(g.type, g.start, g.end) for g in parsed.gold] == [(g.type, g.start, g.end) for g in line.gold]
            for g in line.gold:  # spans are words, never padding
                surface = line.text[g.start:g.end]
                assert surface == surface.strip() and surface[-1] not in ",.", line.markup()


def test_cli_writes_a_corpus_file(tmp_path) -> None:
    out = tmp_path / "dev_spoken.txt"
    cli(["--split", "dev", "--style", "spoken", "--n", "40", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# bench.callgen seed=2026 split=dev style=spoken")
    lines = read_corpus(str(out))
    assert [line.text for line in lines] == [line.text for line in generate("dev", "spoken", n=40)]


@pytest.mark.parametrize(("name", "case", "form"), [
    ("Virtanen", "gen", "Virtasen"), ("Leinonen", "all", "Leinoselle"), ("Kokko", "gen", "Kokon"),
    ("Lahti", "gen", "Lahden"), ("Laine", "all", "Laineelle"), ("Forsman", "all", "Forsmanille"),
    ("Mäkelä", "abl", "Mäkelältä"), ("Holm-Karjalainen", "all", "Holm-Karjalaiselle"), ("Pekka", "gen", "Pekan"),
])
def test_name_inflection(name: str, case: str, form: str) -> None:
    assert inflect_name(name, case) == form


def test_street_inflection_and_numerals() -> None:
    assert inflect_street("Puistotie", "ade") == "Puistotiellä"
    assert inflect_street("Asemakatu", "all") == "Asemakadulle"
    assert cardinal(1234) == "tuhatkaksisataakolmekymmentäneljä"
    assert cardinal(21) == "kaksikymmentäyksi" and cardinal(358) == "kolmesataaviisikymmentäkahdeksan"
    plain = Reading(mode="pairs", colloquial=0.0, commas=False, joined=True)
    import random

    assert read_digits("0412", plain, random.Random(0)) == ["nolla", "neljä", "kaksitoista"]
