"""Authenticated encryption of data at rest (AES-256-GCM), and key files.

Format of a sealed blob: ``version (1 byte) || nonce (12 bytes) || ciphertext+tag``. The version byte lets
a later key rotation or algorithm change coexist with old blobs. The associated data (``aad``) binds a
ciphertext to where it belongs (e.g. its blob key), so a file moved to another call's place fails to decrypt.

A pure library: every function takes its key as an argument. ``service.platform.config`` reads the key settings with
it, so it must never read settings itself (that was an import circle).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION_AESGCM_V1 = 1
NONCE_BYTES = 12
KEY_BYTES = 32
_TAG_BYTES = 16


class DecryptionError(Exception):
    """The blob is not ours, was tampered with, belongs elsewhere (aad) or the key is wrong."""


class KeyFormatError(ValueError):
    """A key that is not base64 of exactly 32 bytes."""


def generate_key() -> str:
    """A new random key, base64-encoded (what ``PUHETURVA_ENCRYPTION_KEY``/``INDEX_KEY`` expect)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_key(text: str) -> bytes:
    """Decode a base64 key and check its length (the message never echoes the key)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyFormatError(f"key must decode to {KEY_BYTES} bytes")
    return key


def load_or_create_key_file(path: Path) -> tuple[bytes, bool]:
    """Read a key file, or create it (mode 0600, exclusively) with a fresh key. Returns ``(key, created)``.

    The key is written to a private temporary file and then hard-linked to ``path``: ``link`` fails if the
    name exists, so two processes (or threads) starting at once agree on one key, and the loser never reads a
    file the winner has created but not yet written. An existing file is read first, without writing anything:
    the subject index asks for its key on every indexed identifier (the webhook, once per caller number), and
    a fresh key written, fsynced and discarded each time cost a disk flush per call.
    """
    with contextlib.suppress(FileNotFoundError):
        return parse_key(path.read_text(encoding="ascii")), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = generate_key()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    except FileExistsError:
        return parse_key(path.read_text(encoding="ascii")), False
    finally:
        tmp.unlink(missing_ok=True)
    return parse_key(text), True


class Cipher:
    """AES-256-GCM with a random 96-bit nonce per message (safe for far more blobs than we will ever hold)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFormatError(f"key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return bytes([VERSION_AESGCM_V1]) + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes = b"") -> bytes:
        if len(blob) < 1 + NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("blob too short")
        if blob[0] != VERSION_AESGCM_V1:
            raise DecryptionError(f"unknown blob format version {blob[0]}")
        nonce, body = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, aad)
        except InvalidTag:
            raise DecryptionError("authentication failed (wrong key, wrong aad or tampered)") from None
