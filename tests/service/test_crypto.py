"""AES-256-GCM sealing and key files."""

from __future__ import annotations

import base64
import stat
import time
from pathlib import Path

import pytest

from service.platform.crypto import (
    Cipher,
    DecryptionError,
    KeyFormatError,
    generate_key,
    load_or_create_key_file,
    parse_key,
)


@pytest.fixture
def cipher() -> Cipher:
    return Cipher(parse_key(generate_key()))


def test_round_trip_and_header(cipher: Cipher) -> None:
    blob = cipher.encrypt(b"tallenne", aad=b"calls/x/original_audio")
    assert blob[0] == 1 and len(blob) == 1 + 12 + len(b"tallenne") + 16
    assert b"tallenne" not in blob
    assert cipher.decrypt(blob, aad=b"calls/x/original_audio") == b"tallenne"
    assert cipher.encrypt(b"tallenne") != cipher.encrypt(b"tallenne")  # fresh nonce each time


@pytest.mark.parametrize("mutate", [
    lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # tag
    lambda b: b[:20] + bytes([b[20] ^ 1]) + b[21:],  # ciphertext
    lambda b: bytes([2]) + b[1:],  # unknown version
    lambda b: b[:10],  # truncated
])
def test_tampering_is_detected(cipher: Cipher, mutate) -> None:
    blob = cipher.encrypt(b"x" * 32, aad=b"k")
    with pytest.raises(DecryptionError):
        cipher.decrypt(mutate(blob), aad=b"k")


def test_wrong_aad_or_key_fails(cipher: Cipher) -> None:
    blob = cipher.encrypt(b"data", aad=b"calls/a/redacted_audio")
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, aad=b"calls/b/redacted_audio")
    with pytest.raises(DecryptionError):
        Cipher(parse_key(generate_key())).decrypt(blob, aad=b"calls/a/redacted_audio")


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"short").decode(), ""])
def test_bad_keys_are_refused_without_echo(text: str) -> None:
    with pytest.raises(KeyFormatError) as err:
        parse_key(text)
    assert text not in str(err.value) or not text


def test_key_file_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "encryption.key"
    key, created = load_or_create_key_file(path)
    again, created2 = load_or_create_key_file(path)
    assert (created, created2) == (True, False) and key == again and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reading_an_existing_key_file_writes_nothing(tmp_path: Path) -> None:
    # The subject index reads its key per identifier: a temporary key file written (and fsynced) and thrown
    # away on every read was a disk flush per webhook delivery.
    path = tmp_path / "keys" / "index.key"
    key, _ = load_or_create_key_file(path)
    before = path.parent.stat().st_mtime_ns
    time.sleep(0.01)  # past the file system's timestamp granularity
    assert [load_or_create_key_file(path) for _ in range(3)] == [(key, False)] * 3
    assert path.parent.stat().st_mtime_ns == before  # no file was created or removed beside it
