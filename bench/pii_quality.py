"""PII detection quality and throughput: Puheturva's analyzer against Microsoft Presidio, side by side.

Run: ``.venv/bin/python bench/pii_quality.py [--repeat N]``

Corpora: ``tests/data/dev_corpus_fi.txt`` and ``tests/data/extra_corpus_fi.txt`` (``[[TYPE|text]]`` markup),
plus the bare Whisper-base output of the held-out clips (``tests/data/bare_base_asr.jsonl``) and the
pipeline's own ASR of them (``tests/data/pipeline_asr_dev.jsonl``), scored with the ``audio_leak.py`` rules.
Metrics are defined in ``bench/_corpus.py``.

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

from bench._corpus import PIPELINE_ASR, Line, leak_score, read_asr_clips, read_corpus, score  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpora for throughput")
    args = parser.parse_args()
    lines = [line for name in CORPORA for line in read_corpus(str(DATA / name))]
    clips = read_asr_clips(DATA)
    systems = {"Puheturva": puheturva(), "Presidio": presidio()}

    scores = {name: evaluate(d, lines) for name, d in systems.items()}
    leaks = {name: leak_score(clips, {cid: redact(asr, d(asr)).text for cid, _, _, asr in clips})
             for name, d in systems.items()}
    piped = read_asr_clips(DATA, PIPELINE_ASR)
    pipeline_leaks = {name: leak_score(piped, {cid: redact(asr, d(asr)).text for cid, _, _, asr in piped})
                      for name, d in systems.items()}
    texts = [line.text for line in lines] + [asr for *_, asr in clips]
    speed = {name: throughput(d, texts, args.repeat) for name, d in systems.items()}

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
          f"({len(texts)} documents x {args.repeat} passes, detect + redact, same process)")


if __name__ == "__main__":
    main()
