"""Settings: a fresh machine works with generated keys; production refuses generated keys and dev secrets."""

from __future__ import annotations

import base64
import logging
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.platform.config import DEV_WEBHOOK_SECRET, ConfigError, Settings, get_settings
from service.platform.crypto import generate_key

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def test_defaults_work_on_a_fresh_machine(isolated_settings: Path, caplog: pytest.LogCaptureFixture) -> None:
    s = get_settings()
    assert s.database_url == f"sqlite:///{(isolated_settings / 'puheturva.db').as_posix()}"
    assert s.retention_config.name == "retention.yaml" and s.retention_config.is_file()
    assert s.register_file.is_file()
    assert (s.max_upload_bytes, s.job_max_attempts, s.audio_pad_ms) == (50 * 1024 * 1024, 3, 200)
    with caplog.at_level(logging.WARNING, logger="service.platform.config"):
        key = s.encryption_key_bytes()
        index = s.index_key_bytes()
    assert len(key) == 32 and len(index) == 32 and key != index
    assert sum("generated a key" in r.getMessage() for r in caplog.records) == 2
    for name in ("encryption.key", "index.key"):
        assert stat.S_IMODE((isolated_settings / "keys" / name).stat().st_mode) == 0o600
    caplog.clear()
    assert Settings().encryption_key_bytes() == key  # read back, no new warning
    assert not caplog.records


def test_explicit_keys_are_used(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    k = generate_key()
    monkeypatch.setenv("PUHETURVA_ENCRYPTION_KEY", k)
    assert Settings().encryption_key_bytes() == base64.b64decode(k)
    monkeypatch.setenv("PUHETURVA_INDEX_KEY", "bad")
    with pytest.raises(ConfigError, match="PUHETURVA_INDEX_KEY"):
        Settings().index_key_bytes()


def test_production_refuses_missing_keys_and_dev_secret(isolated_settings: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHETURVA_ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="ENCRYPTION_KEY"):
        Settings()
    monkeypatch.setenv("PUHETURVA_ENCRYPTION_KEY", generate_key())
    monkeypatch.setenv("PUHETURVA_INDEX_KEY", generate_key())
    with pytest.raises(ConfigError, match="development webhook secret") as err:
        Settings()
    assert DEV_WEBHOOK_SECRET not in str(err.value)
    monkeypatch.setenv("PUHETURVA_WEBHOOK_SECRET", SECRET)
    with pytest.raises(ConfigError, match="PUHETURVA_AUDIT_KEY"):
        Settings()  # the audit chain's key must not be generated next to the database either
    monkeypatch.setenv("PUHETURVA_AUDIT_KEY", generate_key())
    s = Settings()
    assert s.environment == "production" and len(s.encryption_key_bytes()) == 32
    assert len(s.audit_key_bytes()) == 32
    assert not (isolated_settings / "keys").exists()  # nothing generated in production


def test_clients_file(isolated_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "clients.yaml"
    f.write_text(f"- name: pbx-helsinki\n  secret: {SECRET}\n  callback_url: https://pbx.example/cb\n")
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", str(f))
    s = Settings()
    assert [c.name for c in s.telephony_clients] == ["default", "pbx-helsinki"]
    assert s.client("pbx-helsinki").callback_url == "https://pbx.example/cb"
    assert s.client("nobody") is None
    f.write_text("- name: pbx\n  secret: not-a-whsec\n")
    with pytest.raises(ConfigError, match="entry 0 secret") as err:
        _ = Settings().telephony_clients
    assert "not-a-whsec" not in str(err.value)
    f.write_text(f"- name: default\n  secret: {SECRET}\n")
    with pytest.raises(ConfigError, match="unique"):
        _ = Settings().telephony_clients


def test_invalid_values_are_refused(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHETURVA_QUEUE", "celery")
    with pytest.raises(ConfigError, match="BROKER_URL"):
        Settings()
    monkeypatch.setenv("PUHETURVA_QUEUE", "embedded")
    monkeypatch.setenv("PUHETURVA_WEBHOOK_SECRET", "whsec_c2hvcnQ=")
    with pytest.raises(ConfigError, match="too short"):
        Settings()


def test_every_field_is_documented() -> None:
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_asr_device_and_batch_size_reach_the_transcriber_settings(isolated_settings: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from service.pipeline.build import asr_settings, options_from_settings

    assert asr_settings(options_from_settings(get_settings())).batch_size is None  # per device
    monkeypatch.setenv("PUHETURVA_ASR_DEVICE", "cuda")
    monkeypatch.setenv("PUHETURVA_ASR_BATCH_SIZE", "24")
    get_settings.cache_clear()
    settings = asr_settings(options_from_settings(get_settings()))
    assert (settings.device, settings.batch_size) == ("cuda", 24)
    monkeypatch.setenv("PUHETURVA_ASR_DEVICE", "tpu")
    get_settings.cache_clear()
    with pytest.raises(ValidationError):
        get_settings()
