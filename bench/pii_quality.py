"""PII detection quality and throughput: Puheturva's analyzer against Microsoft Presidio, side by side.

Run: ``.venv/bin/python bench/pii_quality.py [--repeat N] [--split dev|train] [--n N] [--show-misses N]
[--generated-only]``

Corpora: ``tests/data/dev_corpus_fi.txt`` and ``tests/data/extra_corpus_fi.txt`` (``[[TYPE|text]]`` markup),
plus the bare Whisper-base output of the held-out clips (``tests/data/bare_base_asr.jsonl``) and the
pipeline's own ASR of them (``tests/data/pipeline_asr_dev.jsonl``), scored with the ``audio_leak.py`` rules.
Metrics are defined in ``bench/_corpus.py``.

Generated corpus: ``bench.callgen`` lines of one split (default ``dev``: names, streets, cities and phrasings
that no rule was fitted on) in its three renderings: ``written`` (typed transcript), ``lower`` (ASR with
digits) and ``spoken`` (ASR with numbers and letters as words); "ASR-style" scores ``lower`` and ``spoken``
together. Reported per type and style for both systems: recall / typed recall, character precision, and clean
lines touched (a clean line with any predicted span). ``--show-misses N`` lists Puheturva's misses (synthetic
values, safe to print).

Presidio is configured as well as it can be for Finnish: the FI identity-code recognizer enabled, the phone
recognizer with region FI, the card, IBAN and e-mail recognizers for "fi" with Finnish context words, the
same spaCy model injected through its ``NlpEngine`` (with surface-form lemmas so that its context enhancer
can match Finnish cue words), and its spaCy NER PERSON/LOCATION (scored as PERSON/ADDRESS). Offline:
tldextract is given no suffix-list URL. Both systems redact through the same ``redaction.redact`` so
throughput compares detection.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._corpus import (  # noqa: E402
    PIPELINE_ASR,
    Gold,
    Line,
    Score,
    covered,
    leak_score,
    read_asr_clips,
    read_corpus,
    score,
)
from bench.callgen import DEFAULT_SEED, STYLES, GeneratedLine, generate  # noqa: E402
from redaction import Span, redact  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPORA = ("dev_corpus_fi.txt", "extra_corpus_fi.txt")
TYPES = ("HETU", "PHONE", "EMAIL", "IBAN", "CARD", "YTUNNUS", "CUSTOMER_NUMBER", "PERSON", "ADDRESS")
PRESIDIO_TYPES = {"FI_PERSONAL_IDENTITY_CODE": "HETU", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL",
                  "IBAN_CODE": "IBAN", "CREDIT_CARD": "CARD", "PERSON": "PERSON", "LOCATION": "ADDRESS"}

Detector = Callable[[str], list[Span]]


def puheturva() -> Detector:
    from models.nlp import default_analyzer

    analyzer, _ = default_analyzer()
    return analyzer.analyze


def presidio() -> Detector:
    import spacy
    import tldextract
    from spacy.language import Language

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # offline: no public-suffix download
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        FiPersonalIdentityCodeRecognizer,
        IbanRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    from models.nlp import SPACY_KEEP, SPACY_MODEL

    def load_spacy_copy() -> Language:
        exclude = [n for n in spacy.info(SPACY_MODEL)["pipeline"] if n not in SPACY_KEEP]
        return spacy.load(SPACY_MODEL, exclude=exclude)

    @Language.component("surface_lemma")
    def surface_lemma(doc):  # the Finnish lemmatizer needs Voikko inside spaCy; surface forms stand in
        for token in doc:
            token.lemma_ = token.lower_
        return doc

    nlp = load_spacy_copy()  # NER only, as ours: Presidio reads entities and lemmas, nothing else
    nlp.add_pipe("surface_lemma", last=True)
    mapping = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}
    engine = SpacyNlpEngine(models=[{"lang_code": "fi", "model_name": SPACY_MODEL}],
                            ner_model_configuration=NerModelConfiguration(
                                model_to_presidio_entity_mapping=mapping,
                                labels_to_ignore=["CARDINAL", "DATE", "TIME", "ORDINAL", "MONEY", "QUANTITY",
                                                  "PERCENT", "NORP", "ORG", "EVENT", "PRODUCT", "LAW",
                                                  "LANGUAGE", "WORK_OF_ART"]))
    engine.nlp = {"fi": nlp}
    registry = RecognizerRegistry(supported_languages=["fi"])
    registry.add_recognizer(FiPersonalIdentityCodeRecognizer(supported_language="fi"))
    registry.add_recognizer(PhoneRecognizer(
        supported_language="fi", supported_regions=("FI",),
        context=["puhelin", "puhelinnumero", "numero", "numeroni", "kännykkä", "soita", "gsm"]))
    registry.add_recognizer(CreditCardRecognizer(
        supported_language="fi", context=["kortti", "korttinumero", "luottokortti", "pankkikortti", "visa"]))
    registry.add_recognizer(IbanRecognizer(supported_language="fi", context=["tilinumero", "tili", "iban"]))
    registry.add_recognizer(EmailRecognizer(supported_language="fi",
                                            context=["sähköposti", "email", "meili"]))
    registry.add_recognizer(SpacyRecognizer(supported_language="fi",
                                            supported_entities=["PERSON", "LOCATION"]))
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["fi"])

    def detect(text: str) -> list[Span]:
        return [Span(PRESIDIO_TYPES.get(r.entity_type, r.entity_type), r.start, r.end, r.score, "presidio")
                for r in analyzer.analyze(text, language="fi")]

    return detect


def evaluate(detect: Detector, lines: list[Line]):
    return score(lines, [[(s.start, s.end, s.type) for s in detect(line.text)] for line in lines])


def throughput(detect: Detector, texts: list[str], repeat: int) -> float:
    """Documents per second for detect + redact (one warm-up pass first)."""
    for text in texts:
        redact(text, detect(text))
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            redact(text, detect(text))
    return repeat * len(texts) / (time.perf_counter() - started)


def fmt(x: float) -> str:
    return "   -  " if x != x else f"{x:6.2f}"  # NaN: the type does not occur


def hand_written_report(systems: dict[str, Detector], repeat: int) -> None:
    """The hand-written corpora, the bare and pipeline ASR clips, and throughput."""
    lines = [line for name in CORPORA for line in read_corpus(str(DATA / name))]
    clips = read_asr_clips(DATA)

    scores = {name: evaluate(d, lines) for name, d in systems.items()}
    leaks = {name: leak_score(clips, {cid: redact(asr, d(asr)).text for cid, _, _, asr in clips})
             for name, d in systems.items()}
    piped = read_asr_clips(DATA, PIPELINE_ASR)
    pipeline_leaks = {name: leak_score(piped, {cid: redact(asr, d(asr)).text for cid, _, _, asr in piped})
                      for name, d in systems.items()}
    texts = [line.text for line in lines] + [asr for *_, asr in clips]
    speed = {name: throughput(d, texts, repeat) for name, d in systems.items()}

    names = list(systems)
    total = scores[names[0]].total
    print(f"Corpora: {', '.join(CORPORA)} ({len(lines)} lines, {sum(total.values())} identifiers, "
          f"{scores[names[0]].clean_lines} clean lines) + {len(clips)} bare-ASR clips")
    print(f"{'metric':34s}" + "".join(f"{n:>22s}" for n in names))
    print(f"{'':34s}" + "".join(f"{'recall / typed':>22s}" for _ in names))
    for typ in TYPES:
        if typ in total:
            row = "".join(f"{fmt(scores[n].recall(typ))} / {fmt(scores[n].typed_recall(typ))}".rjust(22)
                          for n in names)
            print(f"{typ + f' (n={total[typ]})':34s}{row}")
    print(f"{'character precision':34s}" + "".join(f"{scores[n].char_precision:22.3f}" for n in names))
    print(f"{'clean lines with a false positive':34s}"
          + "".join(f"{scores[n].clean_false_positives:>18d} / {scores[n].clean_lines:<2d}" for n in names))
    n_ids = sum(1 for _, typ, _, _ in clips if typ != "NONE")
    n_clean = len(clips) - n_ids
    print(f"{'bare ASR: identifiers leaked':34s}"
          + "".join(f"{len(leaks[n][0]):>18d} / {n_ids:<2d}" for n in names))
    print(f"{'bare ASR: clean clips over-redacted':34s}"
          + "".join(f"{len(leaks[n][1]):>18d} / {n_clean:<2d}" for n in names))
    print(f"{'pipeline ASR: identifiers leaked':34s}"
          + "".join(f"{len(pipeline_leaks[n][0]):>18d} / {n_ids:<2d}" for n in names))
    print(f"{'pipeline ASR: clean over-redacted':34s}"
          + "".join(f"{len(pipeline_leaks[n][1]):>18d} / {n_clean:<2d}" for n in names))
    print(f"{'throughput (documents/s)':34s}" + "".join(f"{speed[n]:22.1f}" for n in names))
    print(f"throughput ratio Puheturva / Presidio: {speed['Puheturva'] / speed['Presidio']:.2f} "
          f"({len(texts)} documents x {repeat} passes, detect + redact, same process)")


# ------------------------------------------------------------------------------------ generated corpus

ASR_STYLES = ("lower", "spoken")
COLUMNS = (*STYLES, "ASR-style")


def as_corpus_line(line: GeneratedLine) -> Line:
    return Line(line.text, tuple(Gold(g.type, g.start, g.end) for g in line.gold), line.id)


def _pooled(scores: list[Score]) -> Score:
    """One score over several styles (the per-line counts simply add up)."""
    out = Score({}, {}, {})
    for sc in scores:
        for mine, theirs in ((out.found, sc.found), (out.typed_found, sc.typed_found), (out.total, sc.total)):
            for typ, k in theirs.items():
                mine[typ] = mine.get(typ, 0) + k
        out.predicted_chars += sc.predicted_chars
        out.correct_chars += sc.correct_chars
        out.clean_lines += sc.clean_lines
        out.clean_false_positives += sc.clean_false_positives
    return out


def overall_recall(sc: Score) -> float:
    total = sum(sc.total.values())
    return sum(sc.found.values()) / total if total else float("nan")


def _cell(found: int, typed: int, total: int) -> str:
    return "    -    " if not total else f"{found / total:.2f}/{typed / total:.2f}"


def generated_report(systems: dict[str, Detector], split: str, seed: int, n: int | None,
                     show_misses: int) -> None:
    """Both systems on the generated lines of ``split`` in every style, side by side."""
    corpora = {style: generate(split=split, style=style, seed=seed, n=n) for style in STYLES}
    lines = {style: [as_corpus_line(g) for g in gen] for style, gen in corpora.items()}
    preds = {name: {style: [[(s.start, s.end, s.type) for s in d(line.text)] for line in lines[style]]
                    for style in STYLES} for name, d in systems.items()}
    scores: dict[str, dict[str, Score]] = {}
    for name in systems:
        per_style = {style: score(lines[style], preds[name][style]) for style in STYLES}
        per_style["ASR-style"] = _pooled([per_style[s] for s in ASR_STYLES])
        per_style["all"] = _pooled([per_style[s] for s in STYLES])
        scores[name] = per_style

    names = list(systems)
    first = scores[names[0]]["written"]
    n_lines = len(lines["written"])
    print(f"\nGenerated corpus: bench.callgen seed {seed}, split {split}: {n_lines} lines per style "
          f"({n_lines - first.clean_lines} with {sum(first.total.values())} identifiers, {first.clean_lines} "
          f"clean), styles {', '.join(STYLES)}; ASR-style = lower + spoken")
    width = 10 * len(COLUMNS)
    print(f"{'recall/typed recall':26s}" + "".join(f"  {n:-^{width}s}" for n in names))
    print(f"{'type (n per style)':26s}" + "".join("  " + "".join(f"{c:>10s}" for c in COLUMNS) for _ in names))
    rows = [(typ, [typ]) for typ in TYPES if typ in first.total] + [("all identifiers", list(first.total))]
    for label, types in rows:
        n_typ = sum(first.total.get(t, 0) for t in types)
        cells = []
        for name in names:
            for col in COLUMNS:
                sc = scores[name][col]
                cells.append(_cell(sum(sc.found.get(t, 0) for t in types),
                                   sum(sc.typed_found.get(t, 0) for t in types),
                                   sum(sc.total.get(t, 0) for t in types)).rjust(10))
        groups = ["".join(cells[i:i + len(COLUMNS)]) for i in range(0, len(cells), len(COLUMNS))]
        print(f"{label + f' (n={n_typ})':26s}" + "".join(f"  {g}" for g in groups))
    print(f"{'character precision':26s}" + "".join(
        "  " + "".join(f"{scores[n][c].char_precision:10.3f}" for c in COLUMNS) for n in names))
    print(f"{'clean lines touched':26s}" + "".join(
        "  " + "".join(f"{scores[n][c].clean_false_positives:>4d} {_pct(scores[n][c]):>5s}" for c in COLUMNS)
        for n in names))
    if show_misses:
        print_misses(corpora, preds["Puheturva"], show_misses)
    summary = " | ".join(
        f"recall written {overall_recall(scores[n]['written']):.3f}, "
        f"ASR-style {overall_recall(scores[n]['ASR-style']):.3f}; "
        f"char precision {scores[n]['all'].char_precision:.3f}; "
        f"clean lines touched {_pct(scores[n]['all'])} ({n})" for n in names)
    print(f"generated {split}: {summary}")


def _pct(sc: Score) -> str:
    return f"{100 * sc.clean_false_positives / sc.clean_lines:.1f}%" if sc.clean_lines else "-"


def print_misses(corpora: dict[str, list[GeneratedLine]], preds: dict[str, list[list[tuple[int, int, str]]]],
                 limit: int) -> None:
    """Up to ``limit`` missed identifiers, taken in turn from each type so that every kind of miss shows."""
    by_type: dict[str, list[str]] = {}
    for style in STYLES:
        for gen, spans in zip(corpora[style], preds[style], strict=True):
            line = as_corpus_line(gen)
            for g, gold in zip(gen.gold, line.gold, strict=True):
                if not covered(line, gold, spans):
                    found = ", ".join(f"{t}:{gen.text[s:e]!r}" for s, e, t in spans) or "nothing"
                    by_type.setdefault(g.type, []).append(
                        f"[{style:7s}] {g.type:15s} {gen.text[g.start:g.end]!r} in {gen.text!r} "
                        f"(found: {found}; {gen.id})")
    total = sum(len(v) for v in by_type.values())
    print(f"\nPuheturva misses: {total} (showing {min(limit, total)}, in turn by type)")
    queues = [list(v) for _, v in sorted(by_type.items())]
    shown = 0
    while shown < limit and any(queues):
        for q in queues:
            if q and shown < limit:
                print("  " + q.pop(0))
                shown += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpora for throughput")
    parser.add_argument("--split", choices=("dev", "train"), default="dev", help="generated corpus split")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generated corpus seed")
    parser.add_argument("--n", type=int, default=None, help="only the first N generated lines per style")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N",
                        help="list up to N of Puheturva's misses on the generated corpus")
    parser.add_argument("--generated-only", action="store_true",
                        help="skip the hand-written corpora, ASR clips and throughput")
    args = parser.parse_args()
    systems = {"Puheturva": puheturva(), "Presidio": presidio()}
    if not args.generated_only:
        hand_written_report(systems, args.repeat)
    generated_report(systems, args.split, args.seed, args.n, args.show_misses)


if __name__ == "__main__":
    main()
