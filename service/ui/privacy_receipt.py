"""A subject request's receipt in words, for the page, the PDF sent to the person and the JSON copy.

The stored receipt (``SubjectRequest.result``) holds codes: artefact kinds, reasons, statuses. Here each
becomes words in the reader's language, so the officer can hand the receipt to the person as it is. The PDF
uses DejaVu Sans where Debian has it (any character), else fpdf2's built-in Helvetica (Latin-1: ä, ö, å).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fpdf import FPDF

from service.ui import formatting
from service.ui.i18n import translator

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SECTIONS = ("deleted", "kept", "failed", "mentions", "restricted", "lifted")
Words = Callable[[str], str]


@dataclass(frozen=True)
class ReceiptItem:
    call_id: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ReceiptSection:
    code: str
    title: str
    items: tuple[ReceiptItem, ...]


@dataclass(frozen=True)
class Receipt:
    """The receipt as words: what the person asked, what was done, call by call."""

    lang: str
    request_id: str
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[ReceiptSection, ...]

    def to_json(self, result: Mapping[str, Any]) -> bytes:
        """The words and, under ``codes``, the stored receipt they were made from."""
        return json.dumps({"schema": "puheturva.subject-receipt/1", **asdict(self), "codes": dict(result)},
                          ensure_ascii=False, indent=2).encode()


def build_receipt(req: Mapping[str, Any], pt: Words, lang: str) -> Receipt:
    """``req`` is ``subjects.request_document``; ``pt`` the privacy pages' words in ``lang``."""
    t = translator(lang)
    day = partial(formatting.local_date, lang=lang)
    when = partial(formatting.local_datetime, lang=lang)

    def art(kind: str) -> str:
        key = f"artefact.{kind}"
        return t(key) if t(key) != key else pt(f"artefact.{kind}")

    facts = [(pt("kind"), pt(f"kind.{req['kind']}")), (pt("status"), pt(f"status.{req['status']}")),
             (pt("when"), when(req["created_at"])), (pt("by"), str(req["created_by"]))]
    if req.get("approved_by"):
        facts.append((pt("approved_by"), f"{req['approved_by']}, {when(req['approved_at'])}"))
    if req.get("completed_at"):
        facts.append((pt("completed"), when(req["completed_at"])))
    result = req.get("result") or {}
    if result.get("rejected_reason"):
        facts.append((pt("rejected_because"), str(result["rejected_reason"])))
    sections = []
    for code in SECTIONS:
        entries = result.get(code) or []
        if entries:
            items = tuple(ReceiptItem(str(e.get("call_id") or "–"), tuple(_lines(code, e, req["kind"], pt, art,
                                                                                   day)))
                          for e in entries)
            sections.append(ReceiptSection(code, pt(code), items))
    return Receipt(lang=lang, request_id=str(req["id"]), title=f"{pt('receipt')}: {pt('kind.' + req['kind'])}",
                   facts=tuple(facts), sections=tuple(sections))


def _lines(section: str, e: Mapping[str, Any], kind: str, pt: Words, art: Words,
           day: Callable[[Any], str]) -> list[str]:
    """The words for one call of one section."""
    out: list[str] = []

    def kinds(label: str, values: Any) -> None:
        if values:
            out.append(f"{pt(label)}: {', '.join(art(str(v)) for v in values)}")

    if e.get("already_deleted"):
        out.append(pt("receipt.already_deleted"))
    if e.get("reason"):
        out.append(pt(f"reason.{e['reason']}"))
    if e.get("retain_until"):
        out.append(f"{pt('receipt.retain_until')}: {day(e['retain_until'])}")
    kinds("receipt.artefacts_deleted", e.get("artefacts") or e.get("deleted_artefacts") or e.get("raw_deleted"))
    kinds("receipt.artefacts_kept", e.get("kept_artefacts"))
    kinds("receipt.artefacts_failed", e.get("failed_artefacts"))
    kinds("receipt.artefacts_kept", [r.get("artefact") for r in e.get("raw_kept") or []])
    if e.get("restricted") is True and section == "kept":
        out.append(pt("receipt.restricted"))
    if section == "mentions":
        out.append(pt(f"mention.done.{kind}"))
        if e.get("turns_redacted") is False:
            out.append(pt("receipt.mention_left"))
    return out


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a one-or-more page A4 PDF."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    family = "DejaVu" if DEJAVU.is_file() else "helvetica"
    if family == "DejaVu":
        pdf.add_font("DejaVu", "", str(DEJAVU))
        pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD if DEJAVU_BOLD.is_file() else DEJAVU))
    unicode = family == "DejaVu"

    def text(s: str) -> str:
        return s if unicode else s.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(text(receipt.title))
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 8, text(receipt.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text(receipt.request_id), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "", 11)
    for label, value in receipt.facts:
        pdf.multi_cell(0, 6, text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    for section in receipt.sections:
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, text(f"{section.title} ({len(section.items)})"), new_x="LMARGIN", new_y="NEXT")
        for item in section.items:
            pdf.set_font(family, "B", 11)
            pdf.multi_cell(0, 6, text(item.call_id), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 10)
            for line in item.lines:
                pdf.set_x(pdf.l_margin + 5)
                pdf.multi_cell(0, 5, text(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
