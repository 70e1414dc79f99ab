"""Persistence: ORM tables (``models``), engine/sessions/migrations (``db``) and repository functions.

Callers use the ``repo_*`` modules; they never build queries themselves. Modules:
``repo_calls`` (calls, webhook deliveries, the QA view), ``repo_jobs`` (queue), ``repo_results`` (pipeline
output), ``repo_users`` (users, tokens), ``search`` (full-text search over the redacted turns). Input records
are in ``records``; vocabularies in ``kinds``.
"""
