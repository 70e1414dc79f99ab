"""The generated line and its gold spans: the public result type of ``bench.callgen``.

Plain frozen dataclasses, so lines hash, compare and pickle, and another tool (the audio clip renderer) can
rely on exactly these fields.
"""

from __future__ import annotations

from dataclasses import dataclass

STYLES = ("written", "lower", "spoken")


@dataclass(frozen=True)
class GoldSpan:
    """One identifier in a line: ``text[start:end]`` is its surface in this rendering (for ``spoken``: the
    words that say it); ``value`` is its canonical written form ("120466-512H", "0401234567",
    "Pekka Nieminen" even where the line says "Pekka Niemiselle")."""

    type: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class GeneratedLine:
    """One call line. The same ``id`` in another style is the same line rendered differently."""

    id: str
    split: str
    style: str
    speaker: str
    text: str
    gold: tuple[GoldSpan, ...]

    def markup(self) -> str:
        """The line in ``[[TYPE|surface]]`` markup, as ``bench._corpus.parse_line`` reads it."""
        out, pos = [], 0
        for g in sorted(self.gold, key=lambda g: g.start):
            out += [self.text[pos:g.start], f"[[{g.type}|{self.text[g.start:g.end]}]]"]
            pos = g.end
        out.append(self.text[pos:])
        return "".join(out)

    @property
    def template_id(self) -> str:
        """The phrasing this line was made from (ids are ``<split>-<number>-<template id>``)."""
        return self.id.split("-", 2)[2]
