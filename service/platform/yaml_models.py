"""Configuration files the operator edits (register, retention policies, scorecard): YAML read into a pydantic
model, every problem reported as one line naming the file and the key, so a bad file stops the start clearly."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], what: str, error: type[Exception]) -> M:
    """``model`` validated from the YAML at ``path``; ``error("cannot read/invalid <what> <path>: …")`` otherwise."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {what} {path}: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors())
        raise error(f"invalid {what} {path}: {problems}") from None
