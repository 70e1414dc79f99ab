"""Blobs in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph RGW), sealed before upload.

Why client-side encryption when S3 offers server-side: the store's operator (or a leaked bucket policy)
must not be able to read call recordings. Every object is AES-256-GCM sealed with the same key and the same
associated data (the logical key, without the prefix) as ``LocalBlobStore``, so blobs can be copied
between backends byte for byte, and an object moved to another key fails to decrypt.

Path-style addressing: self-hosted stores rarely have wildcard DNS for virtual-host buckets.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from service.platform.blobstore import BlobError, BlobNotFound, check_key
from service.platform.crypto import Cipher

log = logging.getLogger(__name__)

_MISSING = {"404", "NoSuchKey", "NotFound"}
_AUTH = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
         "401", "403"}  # HEAD answers carry no body: only the status code


class BlobStoreUnavailable(BlobError):
    """The object store refused or could not be reached (messages carry the error code, never data)."""


class BlobStoreAuthError(BlobStoreUnavailable):
    """Wrong access key or secret, or no permission on the bucket."""


class S3BlobStore:
    """The four ``BlobStore`` verbs on one bucket (and an optional key prefix)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None, region: str, access_key: str | None,
                 secret_key: str | None, prefix: str = "", cipher: Cipher,
                 connect_timeout_s: float = 5.0, read_timeout_s: float = 60.0) -> None:
        self.bucket, self.prefix = bucket, prefix
        self._cipher = cipher
        self._s3: Any = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          connect_timeout=connect_timeout_s, read_timeout=read_timeout_s,
                          retries={"max_attempts": 3, "mode": "standard"}))

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        sealed = self._cipher.encrypt(data, aad=key.encode())
        self._call("put", self._s3.put_object, Bucket=self.bucket, Key=self._object(key), Body=sealed,
                   ContentType="application/octet-stream")

    def get(self, key: str) -> bytes:
        try:
            obj = self._call("get", self._s3.get_object, Bucket=self.bucket, Key=self._object(key))
        except _Missing:
            raise BlobNotFound(f"no blob {key}") from None
        return self._cipher.decrypt(obj["Body"].read(), aad=key.encode())

    def delete(self, key: str) -> None:
        """S3 deletes are idempotent: a missing object is not an error (the sweeper may retry)."""
        try:
            self._call("delete", self._s3.delete_object, Bucket=self.bucket, Key=self._object(key))
        except _Missing:
            return

    def exists(self, key: str) -> bool:
        try:
            self._call("head", self._s3.head_object, Bucket=self.bucket, Key=self._object(key))
        except _Missing:
            return False
        return True

    def check(self) -> None:
        """Readiness: the bucket exists and these credentials may use it. Raises ``BlobStoreUnavailable``."""
        try:
            self._call("head bucket", self._s3.head_bucket, Bucket=self.bucket)
        except _Missing:
            raise BlobStoreUnavailable(f"bucket {self.bucket!r} does not exist") from None

    def versioning(self) -> str:
        """The bucket's versioning status: ``""`` (never enabled), ``"Enabled"`` or ``"Suspended"``."""
        out = self._call("get bucket versioning", self._s3.get_bucket_versioning, Bucket=self.bucket)
        return str(out.get("Status") or "")

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (development and tests; production buckets are provisioned)."""
        try:
            self.check()
        except BlobStoreAuthError:
            raise
        except BlobStoreUnavailable:
            self._call("create bucket", self._s3.create_bucket, Bucket=self.bucket)

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            if code == "NoSuchBucket":  # a 404 too, but a deployment error, not a missing blob
                raise BlobStoreUnavailable(f"S3 {what}: bucket {self.bucket!r} does not exist") from None
            if code in _MISSING or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise _Missing from None
            kind = BlobStoreAuthError if code in _AUTH else BlobStoreUnavailable
            raise kind(f"S3 {what} failed: {code or 'error'}") from None
        except BotoCoreError as exc:
            raise BlobStoreUnavailable(f"S3 {what} failed: {type(exc).__name__}") from None


class _Missing(Exception):
    """Internal: the object (or bucket) is not there."""


def s3_blobstore_from_settings(settings: Any, cipher: Cipher) -> S3BlobStore:
    secret = settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None
    store = S3BlobStore(settings.s3_bucket, endpoint_url=settings.s3_endpoint, region=settings.s3_region,
                        access_key=settings.s3_access_key, secret_key=secret, prefix=settings.s3_prefix,
                        cipher=cipher)
    warn_if_versioned(store)
    return store


def warn_if_versioned(store: S3BlobStore) -> bool:
    """Log an error when the bucket keeps versions; True if it does.

    On a versioned (or once-versioned, "Suspended") bucket ``delete_object`` only adds a delete marker: the
    retention sweep and erasure would leave every old version in place, still decryptable with the master
    key. The bucket must be unversioned (or have a lifecycle rule expiring noncurrent versions at once).
    An unreachable store is not judged here; readiness (``check``) reports that.
    """
    try:
        status = store.versioning()
    except BlobError:
        return False
    if status in ("Enabled", "Suspended"):
        log.error("S3 bucket %r has versioning %s: deleted recordings and transcripts stay as old versions; "
                  "disable versioning or expire noncurrent versions (retention and erasure depend on it)",
                  store.bucket, status.lower())
        return True
    return False
