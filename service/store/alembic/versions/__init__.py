"""Schema revisions, applied in order by ``service.store.db.migrate``."""
