"""Alembic environment of the store (a package so that the revisions ship with the wheel)."""
