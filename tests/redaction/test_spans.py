"""Merging overlapping spans (``redaction.spans``), shared by the analyzer and the anonymiser."""

from redaction import Span
from redaction.spans import merge_overlaps


def test_merge_keeps_the_union_and_the_best_type():
    merged = merge_overlaps([Span("NUMBER", 0, 10, 0.6, "a"), Span("IBAN", 3, 20, 0.9, "b"),
                             Span("PERSON", 25, 30, 0.8, "c"), Span("PHONE", 20, 24, 0.9, "d")])
    assert [(s.type, s.start, s.end) for s in merged] == [
        ("IBAN", 0, 20), ("PHONE", 20, 24), ("PERSON", 25, 30)]
    tie = merge_overlaps([Span("PERSON", 0, 5, 0.9, "a"), Span("HETU", 0, 5, 0.9, "b")])
    assert tie[0].type == "HETU"  # checksummed identifiers win ties
