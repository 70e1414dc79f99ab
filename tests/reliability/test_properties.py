"""Properties the redaction and signing code must keep on any input, not just the Finnish we expect.

Already covered in ``tests/redaction``: the number normaliser's offset map on Finnish-like transcripts and
"text outside spans unchanged" for the operators. Added here: span merging, the analyzer (bare and with the
real spaCy + Voikko models) and the normaliser on arbitrary unicode — combining marks, right-to-left text,
zero-width and bidi controls, emoji, NUL — and signature verification on arbitrary headers.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redaction import Analyzer, Span, normalise, redact
from redaction.entities import SPECS
from redaction.spans import merge_overlaps
from service.platform import signing

TYPES = sorted(SPECS)
ODD = ["\u200b", "\u200e", "\u200f", "\u202e", "\u2066", "\u00a0", "\u0301", "\ufeff", "\x00", "\n", "\t",
       "\U0001f4de", "\u0663", "\uff11", "ß", "İ", "ﬁ", "ǅ"]
WORDS = ["nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan", "yhdeksän",
         "viiva", "hetu", "henkilötunnus", "numero", "puhelinnumero", "sähköposti", "ät", "piste", "tilinumero",
         "F", "I", "040", "131052-308T", "FI50", "Matti", "Virtanen", "Koivukuja", "3", "02120", "Espoo",
         "kaksitoista", "neljäkymmentä", "sata", "@", "-", ",", "."]
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
MIXED = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(max_size=4)), max_size=40).map(
    lambda parts: " ".join(parts))
TEXTS = st.one_of(ANY_TEXT, MIXED)


@st.composite
def span_lists(draw: st.DrawFn) -> list[Span]:
    n = draw(st.integers(1, 200))
    spans = []
    for _ in range(draw(st.integers(0, 12))):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a + 1, n))
        spans.append(Span(draw(st.sampled_from(TYPES)), a, b, draw(st.floats(0, 1)), "t"))
    return spans


@settings(max_examples=400, deadline=None)
@given(span_lists())
def test_merged_spans_are_disjoint_sorted_and_cover_exactly_the_input(spans: list[Span]) -> None:
    merged = merge_overlaps(spans)
    assert all(a.end <= b.start for a, b in pairwise(merged)), "sorted and disjoint"
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert {i for m in merged for i in range(m.start, m.end)} == covered, "no position gained or lost"
    for m in merged:
        members = [s for s in spans if m.start <= s.start and s.end <= m.end]
        assert members and m.type in {s.type for s in members}, "typed by one of its members"
        assert round(m.score, 6) == round(max(s.score for s in members), 6), "scored by its best member"
    for s in spans:
        assert sum(m.start <= s.start and s.end <= m.end for m in merged) == 1, "each input in exactly one"


def _check_spans(text: str, spans: list[Span]) -> None:
    assert all(0 <= s.start < s.end <= len(text) for s in spans), "spans within the text"
    assert all(a.end <= b.start for a, b in pairwise(spans)), "sorted, non-overlapping"
    result = redact(text, spans)
    pos = out = 0
    for applied in result.applied:  # the text between redactions is the original, character for character
        keep = text[pos:applied.span.start]
        assert result.text[out:out + len(keep)] == keep
        out += len(keep) + len(applied.replacement)
        pos = applied.span.end
    assert result.text[out:] == text[pos:]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_bare_analyzer_never_raises_and_stays_in_bounds(text: str) -> None:
    _check_spans(text, BARE.analyze(text))


@pytest.fixture(scope="module")
def full_analyzer() -> Analyzer:
    """The product's analyzer: spaCy NER + Voikko (loaded once; shared with the other tests' cache)."""
    from models.nlp import default_analyzer

    return default_analyzer()[0]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_full_analyzer_never_raises_and_stays_in_bounds(full_analyzer: Analyzer, text: str) -> None:
    _check_spans(text, full_analyzer.analyze(text))
    # Upper-casing changes lengths ("ß" → "SS", "ﬁ" → "FI"): NER on cased text must still map back in bounds.
    _check_spans(text.upper(), full_analyzer.analyze(text.upper()))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_normaliser_offsets_stay_in_bounds_on_any_unicode(text: str) -> None:
    norm = normalise(text)
    n = len(norm.text)
    if n:
        a, b = norm.to_original(0, n)
        assert 0 <= a <= b <= len(text)
    last = (0, 0)
    for i in range(n):
        a, b = norm.to_original(i, i + 1)
        assert 0 <= a < b <= len(text) and a >= last[0] and b >= last[1]
        last = (a, b)


HEADER_VALUES = st.one_of(st.text(max_size=60), st.integers().map(str), st.just("v1,"),
                          st.binary(max_size=40).map(lambda b: "v1," + b.hex()), st.just("9" * 5000))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "Webhook-Id",
                                        "x-other"]), HEADER_VALUES, max_size=5), st.binary(max_size=64))
def test_signature_verification_only_ever_refuses_with_a_signature_error(headers: dict[str, str],
                                                                         body: bytes) -> None:
    try:
        signing.verify(body, headers, [("default", signing_secret())])
    except signing.SignatureError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("a random header set was accepted")


def signing_secret() -> str:
    from service.platform.config import DEV_WEBHOOK_SECRET

    return DEV_WEBHOOK_SECRET


BARE = Analyzer()
