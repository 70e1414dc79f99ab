"""Operators chosen per entity type from settings (``PUHETURVA_OPERATORS``) reach the pipeline's text redaction."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest

from models.provenance import ModelInfo
from redaction import Analyzer
from service.pipeline import Pipeline, Turn
from service.pipeline.build import options_from_settings, pipeline_options
from service.platform.config import ConfigError, Settings, get_settings
from service.platform.digests import operator_hash_key

TEXT = "sähköposti on tiina.laine@example.fi ja numero 040 765 1234"


def _redacted(text: str) -> str:
    """One turn through the pipeline's detect-and-redact stage with the options the service builds."""
    pipe = Pipeline(transcriber=None, analyzer=Analyzer(),  # type: ignore[arg-type]
                    analyzer_info=ModelInfo(name="analyzer", version="test"),
                    options=pipeline_options(options_from_settings(get_settings())))
    prov: list[Any] = []
    results, _entities = pipe.detect_and_redact([Turn(0, "customer", 1, 0.0, 5.0, text, ())], prov)
    return results[0].text


def test_default_is_the_placeholder_everywhere(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUHETURVA_OPERATORS", raising=False)
    assert _redacted(TEXT) == "sähköposti on [SÄHKÖPOSTI] ja numero [PUHELIN]"


def test_operators_setting_masks_email_and_hashes_phone_with_a_derived_key(
        isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHETURVA_OPERATORS", '{"EMAIL": "mask", "PHONE": "hash"}')
    get_settings.cache_clear()
    out = _redacted(TEXT)
    assert out.startswith("sähköposti on *****.*****@*******.** ja numero [PUHELIN:")
    key = operator_hash_key(get_settings())
    assert key != get_settings().index_key_bytes() and len(key) == 32
    expected = hmac.new(key, b"PHONE:0407651234", hashlib.sha256).hexdigest()[:16]
    assert out.endswith(f"[PUHELIN:{expected}]")
    assert "040" not in out and "tiina" not in out


@pytest.mark.parametrize(("setting", "named"), [('{"EMAIL": "shred"}', "'shred'"),
                                                ('{"PASSPORT": "mask"}', "'PASSPORT'")])
def test_unknown_operator_or_type_is_refused_at_start(
        isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, setting: str, named: str) -> None:
    monkeypatch.setenv("PUHETURVA_OPERATORS", setting)
    with pytest.raises(ConfigError) as err:
        Settings()
    assert "PUHETURVA_OPERATORS" in str(err.value) and named in str(err.value)
