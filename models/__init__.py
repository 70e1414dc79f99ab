"""AI models: audio decoding, the faster-whisper ASR facade and the embedded default model.

Names are resolved lazily (PEP 562) so that ``import models.provenance`` does not pull in faster-whisper,
CTranslate2 and PyAV (about a second of start-up) for code that only needs the provenance types.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AsrInfo": "models.asr",
    "AsrSettings": "models.asr",
    "Segment": "models.asr",
    "Transcriber": "models.asr",
    "Word": "models.asr",
    "load_transcriber": "models.asr",
    "AudioTooLong": "models.audio",
    "DecodedAudio": "models.audio",
    "InvalidAudio": "models.audio",
    "decode": "models.audio",
    "encode_opus": "models.audio",
    "encode_wav": "models.audio",
    "ModelDownloadRefused": "models.model_files",
    "ModelIntegrityError": "models.model_files",
    "ModelLoadError": "models.model_files",
    "ModelNotFound": "models.model_files",
    "Activity": "models.provenance",
    "ModelInfo": "models.provenance",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
