"""Demo mode (``make run``): a newcomer lands on a working service with the sample call already queued.

Never active in a configured deployment: production settings refuse ``demo``, and ``serve`` refuses it beyond
loopback. The demo accounts' passwords and tokens never reach the console (container logs keep it): they are
written once, when the accounts are created, to ``<data_dir>/demo-credentials.txt`` (0600). Later starts leave
the accounts and their tokens as they are, so tokens do not pile up (review #25).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from models.audio import decode
from service.calls.call_metadata import CallMetadata
from service.calls.ingest import accept_call
from service.platform.config import DEFAULT_CLIENT_NAME
from service.store.repo_calls import find_call
from service.store.repo_users import create_user, get_user, set_password

log = logging.getLogger(__name__)
SAMPLE = Path(__file__).resolve().parent / "demo_data" / "sample_call.flac"
SAMPLE_META = {"call_id": "demo-0001", "direction": "inbound", "queue": "tekninen-tuki", "agent_id": "agent-7",
               "channels": {"0": "agent", "1": "customer"}, "started_at": "2026-11-02T09:15:00+02:00"}
DEMO_USERS = (("demo-reviewer", "qa_reviewer"), ("demo-privacy", "privacy_officer"), ("demo-admin", "admin"))
CREDENTIALS_FILE = "demo-credentials.txt"


def seed(ctx: Any) -> list[tuple[str, str, str, str]]:
    """Queue the sample call (once) and create the demo users that do not exist yet.

    Returns ``(name, role, password, token)`` rows of the accounts created now (none on a later start); they
    are valid for this demo data directory only.
    """
    if SAMPLE.exists():
        with ctx.db.session() as s:
            present = find_call(s, DEFAULT_CLIENT_NAME, str(SAMPLE_META["call_id"])) is not None
        if not present:
            data = SAMPLE.read_bytes()
            accept_call(ctx.db, ctx.blobs, ctx.settings, client=DEFAULT_CLIENT_NAME, webhook_id="demo-seed",
                        meta=CallMetadata.model_validate(SAMPLE_META), audio_bytes=data, audio=decode(data))
    rows = []
    with ctx.db.session() as s:
        for name, role in DEMO_USERS:
            if get_user(s, name) is not None:
                continue
            password = secrets.token_urlsafe(9)
            _user, token = create_user(s, name, role)
            assert token is not None  # created with its first token
            set_password(s, name, password)
            rows.append((name, role, password, token))
    return rows


def announce(ctx: Any) -> str:
    """Seed, write new credentials to the 0600 file, and return the console text (names and the file only)."""
    rows = seed(ctx)
    path = Path(ctx.settings.data_dir) / CREDENTIALS_FILE
    if rows:
        write_credentials(path, rows)
    lines = ["", "Puheturva demo — the sample call is being processed (refresh the call list in a minute).",
             "Demo accounts for this data directory only: " + ", ".join(f"{n} ({r})" for n, r in DEMO_USERS),
             f"Their passwords and API tokens (written when the accounts were created): {path}"]
    return "\n".join(lines) + "\n"


def write_credentials(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Append the new accounts' credentials to ``path``, created 0600 (never a log line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        for name, role, password, token in rows:
            f.write(f"{name:15} {role:16} password: {password}   API token: {token}\n")
