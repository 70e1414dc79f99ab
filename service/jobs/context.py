"""What a worker needs to run jobs: the database, the blob store, the settings, the pipeline (lazily)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.platform.blobstore import BlobStore
from service.store.db import Database

if TYPE_CHECKING:  # the pipeline pulls in the models; the API tier may never need them
    from service.pipeline.stages import Pipeline


@dataclass
class WorkerContext:
    db: Database
    blobs: BlobStore
    settings: Any
    _pipeline: Pipeline | None = field(default=None, repr=False)

    @property
    def pipeline(self) -> Pipeline:
        """Loaded on first use: an API process that never runs a job never loads the models."""
        if self._pipeline is None:
            from service.pipeline.build import get_pipeline, options_from_settings

            self._pipeline = get_pipeline(options_from_settings(self.settings))
        return self._pipeline


def context_from_settings(settings: Any) -> WorkerContext:
    from service.platform.blobstore_factory import blobstore_from_settings
    from service.store.db import open_database

    return WorkerContext(db=open_database(settings.database_url), blobs=blobstore_from_settings(settings),
                         settings=settings)
