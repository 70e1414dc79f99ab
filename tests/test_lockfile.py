"""Review finding #24: installs come from a hash-pinned lock that agrees with ``pyproject.toml``.

``make`` and the Dockerfile install with ``pip --require-hashes``, so a file whose sha256 is not in the lock
is refused. These checks catch a lock that has drifted from the declared dependencies (someone edited
``pyproject.toml`` and forgot ``make lock``), a requirement without hashes, and an install step that does
not use the lock.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _lock(name: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every requirement in a pip-compile lock."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if m := PIN.match(line):
            current = canonicalize_name(m.group(1))
            pins[current] = (m.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, n = pins[current]
            pins[current] = (version, n + 1)
    return pins


def _declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    if extra:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


@pytest.mark.parametrize(("lock", "extra"), [("requirements.lock", None), ("requirements-dev.lock", "dev")])
def test_every_declared_dependency_is_locked_with_hashes(lock: str, extra: str | None) -> None:
    pins = _lock(lock)
    assert len(pins) > 40, "the lock holds the whole dependency tree, not only direct dependencies"
    unhashed = [name for name, (_v, n) in pins.items() if n == 0]
    assert not unhashed, f"requirements without --hash in {lock}: {unhashed}"
    for req in _declared(extra):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is declared in pyproject.toml but missing from {lock}: run `make lock`"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"{lock} pins {req.name}=={pins[name][0]}, outside pyproject's {req.specifier}: run `make lock`")


def test_pyav_is_pinned_directly() -> None:
    """PyAV decodes untrusted uploads; its version is chosen here, not by whatever faster-whisper allows."""
    (av,) = [r for r in _declared(None) if canonicalize_name(r.name) == "av"]
    assert str(av.specifier).startswith("=="), av


def test_install_steps_use_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--no-deps" in makefile, "the project goes on top of the locked tree without resolving again"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert re.search(r"pip install (?!--require-hashes|--no-deps|--upgrade)\S", dockerfile) is None, (
        "every pip install in the image is either the hashed lock, the project with --no-deps, or pip itself")
