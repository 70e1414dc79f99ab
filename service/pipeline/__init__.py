"""The call pipeline, pure of storage and HTTP: result types (``result``), the stages (``stages``) and how a
pipeline is built from settings (``build``), plus the self-verification of the redacted output
(``self_verify``, with ``echo_check`` and ``transcript_words``).

Names are resolved lazily (PEP 562), as in ``models/__init__.py``: ``service.pipeline.result`` is what the job
runner and the store read, and importing it must not load faster-whisper and the NLP with the stage code.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Classification": "service.pipeline.result",
    "PipelineOptions": "service.pipeline.result",
    "ProcessResult": "service.pipeline.result",
    "RedactedEntity": "service.pipeline.result",
    "RedactedTurn": "service.pipeline.result",
    "RedactedWord": "service.pipeline.result",
    "Stage": "service.pipeline.result",
    "Turn": "service.pipeline.result",
    "CONTEXT_WORDS": "service.pipeline.stages",
    "Pipeline": "service.pipeline.stages",
    "ProgressFn": "service.pipeline.stages",
    "default_channel_map": "service.pipeline.stages",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'service.pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
