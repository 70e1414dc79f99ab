"""Opening the configured database from a command, and naming who ran it."""

from __future__ import annotations

import os
import pwd
from typing import Any

from service.platform.config import get_settings
from service.store.db import Database, open_database


def open_db() -> Database:
    """Migrate and open the database of the current settings."""
    url = get_settings().database_url
    assert url is not None  # filled in by Settings
    return open_database(url)


def cli_actor() -> str:
    """The audit actor of a command: the operating-system account that ran it (a named person's login).

    Read from the effective uid, never from ``USER``/``LOGNAME``: those are whatever the caller exported,
    so ``USER=demo-privacy puheturva ...`` wrote erasures under someone else's name (review #15). The uid
    stays in the name, so two systems' accounts of the same name or a deleted account remain apart.
    """
    uid = os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (some containers)
        name = "unknown"
    return f"cli:{name}#{uid}"


def cli_detail() -> dict[str, Any]:
    """Extra audit detail of a command: the uid, and ``SUDO_USER`` as a hint only (anyone can set it)."""
    detail: dict[str, Any] = {"uid": os.geteuid()}
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user:
        detail["sudo_user_claimed"] = sudo_user[:64]
    return detail
