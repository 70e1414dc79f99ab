"""Overlapping spans become one: the step both the analyzer and the anonymiser need.

Its own module so that ``redaction.operators`` (the anonymiser) never imports the analyzer, as in Presidio.
"""

from __future__ import annotations

from dataclasses import replace

from redaction.entities import priority
from redaction.types import Span

# Types that, found inside a longer street address, are part of it (a street's name, a house number read as
# a phone number) rather than identifiers of their own.
INSIDE_ADDRESS = frozenset({"PERSON", "PHONE", "NUMBER", "CUSTOMER_NUMBER"})


def merge_overlaps(spans: list[Span]) -> list[Span]:
    """One span per overlapping cluster, covering all of it, typed by its best member.

    Covering the union is deliberate: when a cue-led run and a checksummed number disagree on where the
    identifier ends, redacting the larger extent is what keeps the rest of it from leaking.
    """
    out: list[Span] = []
    cluster: list[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if cluster and span.start >= end:
            out.append(_merge(cluster))
            cluster = []
        cluster.append(span)
        end = max(end, span.end) if len(cluster) > 1 else span.end
    if cluster:
        out.append(_merge(cluster))
    return out


def _merge(cluster: list[Span]) -> Span:
    best = max(cluster, key=lambda s: (round(s.score, 6), priority(s.type), s.end - s.start))
    if best.type in INSIDE_ADDRESS:
        # "Gunnel Nymanin kuja 8": a person's name inside a street address is the street's name, and the
        # digits of "… kolmekymmentäkaksi kahdeksan nolla nolla kuusi yksi" are its flat and postcode.
        street = [s for s in cluster if s.type == "ADDRESS" and s.start <= best.start and best.end <= s.end
                  and s.end - s.start > best.end - best.start]
        if street:
            # The cluster keeps its best score: the street is how it is typed, not how sure we are.
            best = replace(max(street, key=lambda s: s.end - s.start), score=best.score)
    start = min(s.start for s in cluster)
    end = max(s.end for s in cluster)
    if (start, end) == (best.start, best.end):
        return best
    return Span(best.type, start, end, best.score, best.recognizer, best.explanation)
