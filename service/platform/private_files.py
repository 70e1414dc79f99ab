"""Files the service writes are readable by its own account only: 0700 directories, 0600 files.

The data directory holds the redacted transcripts, the subject-index HMACs, password and token hashes, the
audit log and encrypted blobs; a 0644 database next to other accounts on the host is a leak (review #14).
Two layers: the entry points (``serve``, ``worker``, every CLI command, plain uvicorn) set ``umask 077`` so
whatever a library creates is private, and the code that creates the data dir, blob dirs and SQLite files sets
the modes itself, so that tests, library use and processes started with another umask get the same.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> None:
    """From now on this process creates files 0600 and directories 0700 (call once, at start)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create ``path`` and its missing parents as 0700; with ``tighten``, also narrow an existing ``path`` of ours.

    ``mkdir(parents=True, mode=...)`` applies the mode to the leaf only (parents get the process default), and
    the umask narrows it further: so each missing level is created and chmod-ed here. Parents that already
    existed (``/tmp``, a volume mount) are not ours to change; ``tighten=False`` leaves ``path`` itself alone too
    when it existed (the directory of a database file named by URL may be shared).
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            level.mkdir(mode=DIR_MODE)
        _chmod_if_owned(level, DIR_MODE)
    if tighten:
        _chmod_if_owned(path, DIR_MODE)
    return path


def private_file_modes(*paths: Path) -> None:
    """Set 0600 on those of ``paths`` that exist and belong to this account (others are left alone)."""
    for path in paths:
        _chmod_if_owned(path, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with 0600 unless it exists (SQLite then gives its WAL and SHM the same mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def _chmod_if_owned(path: Path, mode: int) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid == os.getuid() and (st.st_mode & 0o777) != mode:
        with contextlib.suppress(PermissionError):
            path.chmod(mode)
