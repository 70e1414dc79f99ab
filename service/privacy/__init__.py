"""The data subject's rights and retention: the register (``register`` + ``register.yaml``), retention
(``retention`` + ``retention.yaml``), the audit log (``audit``), the keyed subject index (``subject_index``),
subject requests (``subjects``) and their exports (``export``, ``export_manifest`` + its JSON schemas).

Why a group of its own: this is what a privacy officer or an auditor reads, and it depends only on
``service.platform`` and ``service.store``; what happens to a call (``service.calls``) builds on it.
"""
