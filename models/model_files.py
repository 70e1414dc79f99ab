"""Integrity of model files on disk: typed errors and a sha256 that is not recomputed on every start.

Hashing the 145 MB Whisper base weights takes about half a second, several seconds for larger models; a
worker that restarts often should not pay that each time. The digest is therefore cached in a small stamp
file beside the weights, keyed by the file's size and mtime: any rewrite of the file invalidates it.
``full=True`` ignores the stamp when certainty matters more than start-up time.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from models.provenance import sha256_file

STAMP_NAME = ".puheturva-sha256.json"
WEIGHTS_NAME = "model.bin"


class ModelLoadError(RuntimeError):
    """Base class: the ASR model cannot be loaded as configured. Messages name files, never audio content."""


class ModelIntegrityError(ModelLoadError):
    """A model file is missing, truncated or does not hash to what it must."""


class ModelNotFound(ModelLoadError):
    """The configured model directory does not exist or is not a CTranslate2 Whisper model."""


class ModelDownloadRefused(ModelLoadError):
    """A bare hub name was configured while downloads are not allowed (the default)."""


def _stat_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def read_stamp(model_dir: Path) -> str | None:
    """The cached sha256 of ``model.bin`` if the stamp still matches its size and mtime, else None."""
    try:
        stamp = json.loads((model_dir / STAMP_NAME).read_text(encoding="utf-8"))
        key = _stat_key(model_dir / WEIGHTS_NAME)
    except (OSError, ValueError):
        return None
    if stamp.get("size") == key["size"] and stamp.get("mtime_ns") == key["mtime_ns"]:
        sha = stamp.get("sha256")
        return sha if isinstance(sha, str) else None
    return None


def write_stamp(model_dir: Path, sha256: str) -> None:
    """Best effort: a read-only model directory simply means rehashing on the next start."""
    data = {**_stat_key(model_dir / WEIGHTS_NAME), "sha256": sha256}
    with contextlib.suppress(OSError):
        tmp = model_dir / f"{STAMP_NAME}.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, model_dir / STAMP_NAME)


def weights_sha256(model_dir: str | Path, *, full: bool = False) -> str:
    """sha256 of ``model_dir/model.bin``, from the stamp when it is still valid unless ``full``."""
    model_dir = Path(model_dir)
    weights = model_dir / WEIGHTS_NAME
    if not weights.is_file():
        raise ModelIntegrityError(f"{weights} is missing")
    if not full and (cached := read_stamp(model_dir)) is not None:
        return cached
    digest = sha256_file(str(weights))
    write_stamp(model_dir, digest)
    return digest


def check_ctranslate2_dir(model_dir: Path) -> None:
    """Refuse early, with a clear message, a directory that CTranslate2 would reject obscurely."""
    if not model_dir.is_dir():
        raise ModelNotFound(f"ASR model directory {model_dir} does not exist")
    missing = [n for n in (WEIGHTS_NAME, "config.json") if not (model_dir / n).is_file()]
    if missing:
        raise ModelNotFound(f"{model_dir} is not a CTranslate2 Whisper model: missing {', '.join(missing)}")
