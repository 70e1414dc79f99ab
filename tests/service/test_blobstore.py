"""Local blob store: encrypted at rest, atomic writes, keys that cannot escape the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.platform.blobstore import BlobNotFound, InvalidBlobKey, LocalBlobStore, call_blob_key
from service.platform.crypto import Cipher, DecryptionError, generate_key, parse_key


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", Cipher(parse_key(generate_key())))


def test_round_trip_encrypted_at_rest(store: LocalBlobStore) -> None:
    key = "calls/123e4567-e89b-12d3-a456-426614174000/redacted_audio"
    payload = b"RIFF....WAVEfmt " + b"hetu 131052-308T" * 10
    store.put(key, payload)
    assert store.exists(key) and store.get(key) == payload
    on_disk = (store.root / key).read_bytes()
    assert b"131052-308T" not in on_disk and b"RIFF" not in on_disk
    assert [p.name for p in (store.root / key).parent.iterdir()] == ["redacted_audio"]  # no temp files left
    store.put(key, b"second")
    assert store.get(key) == b"second"


def test_delete_is_idempotent(store: LocalBlobStore) -> None:
    store.put("a/b", b"x")
    store.delete("a/b")
    store.delete("a/b")
    assert not store.exists("a/b")
    with pytest.raises(BlobNotFound):
        store.get("a/b")


@pytest.mark.parametrize("key", ["../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "a/./b", ".hidden",
                                 "a\\b", "", "a/b/", "ä/b", "a\x00b"])
def test_traversal_and_odd_keys_are_refused(store: LocalBlobStore, key: str) -> None:
    with pytest.raises(InvalidBlobKey):
        store.put(key, b"x")
    with pytest.raises(InvalidBlobKey):
        store.get(key)


def test_a_blob_moved_to_another_key_does_not_decrypt(store: LocalBlobStore) -> None:
    store.put("calls/a/redacted_audio", b"a's audio")
    (store.root / "calls" / "b").mkdir(parents=True)
    (store.root / "calls/a/redacted_audio").rename(store.root / "calls/b/redacted_audio")
    with pytest.raises(DecryptionError):
        store.get("calls/b/redacted_audio")


def test_call_blob_key() -> None:
    assert call_blob_key("123e4567-e89b-12d3-a456-426614174000", "entities").endswith("/entities")
    with pytest.raises(InvalidBlobKey):
        call_blob_key("..", "entities")
