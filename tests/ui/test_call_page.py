"""Pieces of the UI without a browser: transcript segments, the language table, list filters."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
from starlette.datastructures import QueryParams

from service.calls.document import EntityView
from service.store.records import StoredWord as Word
from service.ui.call_page import turn_segments
from service.ui.i18n import MESSAGES, translator
from service.ui.listing import CallFilters
from service.ui.waveform import peaks

TEXT = "Numeroni on [PUHELIN], kiitos."
WORDS: list[Word] = [{"start": 1.0, "end": 1.4, "text": "Numeroni", "char_start": 0, "char_end": 8},
         {"start": 1.4, "end": 1.6, "text": "on", "char_start": 9, "char_end": 11},
         {"start": 1.6, "end": 3.0, "text": "[PUHELIN]", "char_start": 12, "char_end": 21, "redacted": True},
         {"start": 3.1, "end": 3.5, "text": "kiitos.", "char_start": 23, "char_end": 30}]
ENTS = [EntityView(turn=0, type="PHONE", start=12, end=21, t_start=1.6, t_end=3.0, recognizer="phone", score=0.99,
                   operator="placeholder", category="contact")]


def test_segments_cover_every_character_once_and_keep_offsets() -> None:
    segs = turn_segments(TEXT, WORDS, ENTS)
    assert "".join(TEXT[s.start:s.end] for s in segs) == TEXT
    assert all(a.end == b.start for a, b in itertools.pairwise(segs))
    assert [(s.kind, s.text) for s in segs] == [
        ("word", "Numeroni"), ("gap", " "), ("word", "on"), ("gap", " "), ("chip", "PUHELIN"), ("gap", ", "),
        ("word", "kiitos.")]
    assert segs[4].t == 1.6 and segs[4].type == "PHONE"


def test_inconsistent_offsets_fall_back_to_plain_text() -> None:
    bad_words: list[Word] = [{"start": 0, "end": 1, "text": "x", "char_start": 5, "char_end": 500}]
    bad_ents = [EntityView(turn=0, type="HETU", start=40, end=45, t_start=None, t_end=None, recognizer="hetu",
                           score=1.0, operator="placeholder", category="identity")]
    segs = turn_segments("lyhyt teksti", bad_words, bad_ents)
    assert [(s.kind, s.text) for s in segs] == [("gap", "lyhyt teksti")]


def test_every_string_exists_in_both_languages_and_formats() -> None:
    assert all(len(pair) == 2 and all(pair) for pair in MESSAGES.values())
    fi, en = translator("fi"), translator("en")
    assert fi("calls.count", n=3) == "3 puhelua" and en("calls.count", n=3) == "3 calls"
    assert fi("no.such.key") == "no.such.key"


def test_filters_parse_leniently_and_name_only_what_is_used() -> None:
    f = CallFilters.from_query(QueryParams("date_from=2026-10-01&date_to=kesäkuu&pii=HETU&pii=PHONE&q=lasku"
                                           "&status=bogus&retention=legal_hold"))
    assert f.date_from == date(2026, 10, 1) and f.date_to is None and f.bad_date
    assert f.pii == ("HETU", "PHONE") and f.status is None and f.retention == "legal_hold"
    assert f.used() == ["date_from", "retention", "q", "pii"], "audit gets filter names, never the query"
    assert "page=2" in f.query_string(page=2) and "pii=HETU&pii=PHONE" in f.query_string()


def test_peaks_take_the_loudest_sample_of_each_slice() -> None:
    samples = np.zeros(1000, dtype=np.float32)
    samples[10], samples[990] = -0.5, 0.25
    out = peaks(samples, 10)
    assert out[0] == 0.5 and out[-1] == 0.25 and out[1:-1].max() == 0
    assert list(peaks(samples[:3], 5)) == [0, 0, 0, 0, 0]
