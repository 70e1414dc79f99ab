"""Logging for the server processes, with a last line of defence against personal data in log lines.

The code logs ids, types and counts, never values — that is the real protection. This module catches what
slips through anyway: an exception message from a library that quotes its input, a search term in a URL
query string of the access log, a third-party debug line. ``PiiScrubFilter`` rewrites such a record before
any handler writes it: e-mail addresses, henkilötunnus and IBAN shapes, runs of 7+ digits (spacing and
dashes allowed) and runs of four or more Finnish digit words become a bracketed type; query strings are
dropped from access-log lines. It cannot find names; the discipline of never logging values still must.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HETU_RE = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b", re.IGNORECASE)
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
# 7+ digits, single spaces, dots or dashes between them, not part of a longer word (uuids, hex digests).
DIGITS_RE = re.compile(r"(?<![\w.-])\+?\d(?:[ .-]?\d){6,}(?![\w])")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}(?::\d{2}){0,2})?")
DIGIT_WORDS = ("nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan",
               "yhdeksän", "kymmenen", "sata", "tuhat")
NUMBER_WORDS_RE = re.compile(
    r"\b(?:(?:" + "|".join(DIGIT_WORDS) + r")\w{0,6}[\s,.-]+){3,}(?:" + "|".join(DIGIT_WORDS) + r")\w{0,6}",
    re.IGNORECASE)


def _digits(match: re.Match[str]) -> str:
    return match.group(0) if DATE_RE.fullmatch(match.group(0)) else "[number]"


def scrub(text: str) -> str:
    """``text`` with identifier-shaped substrings replaced by their kind in brackets."""
    text = EMAIL_RE.sub("[email]", text)
    text = HETU_RE.sub("[hetu]", text)
    text = IBAN_RE.sub("[iban]", text)
    text = DIGITS_RE.sub(_digits, text)
    return NUMBER_WORDS_RE.sub("[number words]", text)


class PiiScrubFilter(logging.Filter):
    """Rewrites a record's message (and exception text) through ``scrub``; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            # The path is ours (ids); the query string is the caller's (search terms, names).
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as it is, the handler will report it
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (default: root) that does not have one yet."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PiiScrubFilter) for f in handler.filters):
            handler.addFilter(PiiScrubFilter())


def configure(level: int = logging.INFO) -> None:
    """Root logging for ``puheturva serve``: one stderr line per record, scrubbed."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install()


def uvicorn_log_config() -> dict[str, Any]:
    """Uvicorn's own logging configuration with the scrubbing filter on its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["pii"] = {"()": "service.platform.logging_setup.PiiScrubFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("pii")
    return config
