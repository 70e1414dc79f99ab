"""Choosing the blob store from settings: local disk or S3.

Why a module of its own: the S3 backend builds on ``service.platform.blobstore`` (its errors and key check), so the
factory that picks between the two cannot live in ``blobstore.py`` without an import circle.
"""

from __future__ import annotations

from service.platform.blobstore import BlobStore, LocalBlobStore
from service.platform.config import Settings, get_settings
from service.platform.crypto import Cipher


def blobstore_from_settings(settings: Settings | None = None) -> BlobStore:
    """The configured blob store: local disk under ``data_dir/blobs``, or an S3 bucket (``blob_backend``)."""
    s = settings or get_settings()
    cipher = Cipher(s.encryption_key_bytes())
    if s.blob_backend == "s3":
        from service.platform.blobstore_s3 import s3_blobstore_from_settings  # boto3 only where it is used

        return s3_blobstore_from_settings(s, cipher)
    return LocalBlobStore(s.blob_dir, cipher)
