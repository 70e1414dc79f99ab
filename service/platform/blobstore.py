"""Where audio and documents live: a tiny key → bytes interface, encrypted at rest.

The interface stays four verbs so that an S3 backend is one more class. Keys are relative, slash-separated
paths such as ``calls/<uuid>/redacted_audio``; anything that could escape the root is refused.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from service.platform.crypto import Cipher
from service.platform.private_files import private_dir

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_KEY_RE = re.compile(rf"^{_SEGMENT}(/{_SEGMENT}){{0,15}}$")


class BlobError(Exception):
    """Base of blob store errors (messages carry keys, which never contain personal data)."""


class InvalidBlobKey(BlobError, ValueError):
    """A key with traversal, absolute path, odd characters or too many levels."""


class BlobNotFound(BlobError, LookupError):
    pass


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key; raise ``InvalidBlobKey`` otherwise."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or any(p in {".", ".."} for p in key.split("/")):
        raise InvalidBlobKey("invalid blob key")
    return key


def call_blob_key(call_id: object, kind: str) -> str:
    """The conventional key of one artefact of one call: ``calls/<call uuid>/<kind>``."""
    return check_key(f"calls/{call_id}/{kind}")


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing blob is not an error (the sweeper may retry)."""
        ...

    def exists(self, key: str) -> bool: ...


class LocalBlobStore:
    """Files under ``root``, each sealed with AES-GCM bound to its key, written atomically."""

    def __init__(self, root: Path, cipher: Cipher) -> None:
        self.root = Path(root)
        self._cipher = cipher

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        private_dir(path.parent, tighten=False)  # blobs/ and blobs/calls/ too, not only the leaf
        sealed = self._cipher.encrypt(data, aad=key.encode())
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(sealed)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        try:
            sealed = self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {key}") from None
        return self._cipher.decrypt(sealed, aad=key.encode())

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _fsync_dir(path: Path) -> None:
    """Make a rename or unlink durable (a crash must not resurrect a deleted recording)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
