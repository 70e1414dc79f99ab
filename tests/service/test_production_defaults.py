"""Production by default where it matters (review #2, #25): the image, compose, a server bound beyond loopback,
the demo and the clients file — each tried the way an operator starts it, as a real ``puheturva serve``."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import httpx
import pytest
import yaml

from service.calls.telephony_client import signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, ConfigError, Settings
from tests.service.server_process import ROOT, clean_env, serve

DATA = ROOT / "tests" / "data"
META = {"call_id": "pbx-100", "direction": "inbound", "caller": "040 765 1234"}


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def _production_keys() -> dict[str, str]:
    return {"ENCRYPTION_KEY": _key(), "INDEX_KEY": _key(), "AUDIT_KEY": _key(), "WEBHOOK_SECRET": _secret()}


def _dev_signed_delivery(base: str) -> httpx.Response:
    req = signed_call(DEV_WEBHOOK_SECRET, META, (DATA / "clean.wav").read_bytes())
    return httpx.post(base + "/v1/calls", content=req.body, headers=req.headers, timeout=30)


def dockerfile_runtime() -> tuple[dict[str, str], list[str]]:
    """The runtime stage's ``PUHETURVA_*`` ENV and its CMD, read from the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").split("AS runtime", 1)[1]
    joined = re.sub(r"\\\n\s*", " ", text)
    env: dict[str, str] = {}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            env.update(re.findall(r"(PUHETURVA_[A-Z_]+)=(\S+)", line))
    cmd = json.loads(next(line for line in joined.splitlines() if line.startswith("CMD "))[4:])
    return env, cmd


def test_server_started_like_the_image_refuses_the_development_secret(tmp_path: Path) -> None:
    """#2 as reviewed: the image's env and CMD (0.0.0.0), no secrets set -> no server, a message naming them."""
    image_env, cmd = dockerfile_runtime()
    assert cmd[:2] == ["puheturva", "serve"] and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert image_env.get("PUHETURVA_ENVIRONMENT") == "production", "the image runs in production mode"
    env = clean_env(tmp_path / "var", WORKER_THREADS="0")
    env.update({k: v for k, v in image_env.items() if k not in ("PUHETURVA_DATA_DIR", "PUHETURVA_MODEL_DIR")})
    with serve(env, tmp_path / "server.log", host="0.0.0.0") as served:
        if served.proc.poll() is None:
            answer = _dev_signed_delivery(served.base)
            pytest.fail(f"the image's server started and answered a dev-signed webhook with {answer.status_code}")
        out = served.output
    assert served.proc.returncode != 0
    for setting in ("PUHETURVA_WEBHOOK_SECRET", "PUHETURVA_ENCRYPTION_KEY", "PUHETURVA_INDEX_KEY",
                    "PUHETURVA_AUDIT_KEY"):
        assert setting in out, f"the message names {setting}: {out}"
    assert "Traceback" not in out


def test_development_server_beyond_loopback_refuses_to_start(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "var", WORKER_THREADS="0")
    with serve(env, tmp_path / "server.log", host="0.0.0.0") as served:
        if served.proc.poll() is None:
            answer = _dev_signed_delivery(served.base)
            pytest.fail(f"a development server bound 0.0.0.0 and answered a dev-signed webhook: {answer.status_code}")
        out = served.output
    assert served.proc.returncode == 3 and "Traceback" not in out
    assert "0.0.0.0" in out and "PUHETURVA_ENVIRONMENT=production" in out and "PUHETURVA_WEBHOOK_SECRET" in out
    assert not (tmp_path / "var" / "keys").exists(), "refused before generating any key"


def test_production_grade_server_beyond_loopback_starts_and_refuses_dev_signatures(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "var", WORKER_THREADS="0", ENVIRONMENT="production", **_production_keys())
    with serve(env, tmp_path / "server.log", host="0.0.0.0") as served:
        assert served.proc.poll() is None, served.output
        assert _dev_signed_delivery(served.base).status_code == 401


def test_compose_sets_everything_production_needs_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    env = doc["x-puheturva"]["environment"]
    assert env["PUHETURVA_ENVIRONMENT"] == "production"
    supplied = {"POSTGRES_PASSWORD": "pw", **{f"PUHETURVA_{k}": v for k, v in _production_keys().items()}}
    for name, value in env.items():
        if re.search(r"KEY|SECRET|TOKEN|PASSWORD", name) and not name.endswith("THREADS"):
            assert "${" in str(value), f"{name} comes from the environment or a secret file, not the repository"
        resolved = re.sub(r"\$\{([A-Z_]+)(:\?[^}]*|:-([^}]*))?\}",
                          lambda m: supplied.get(m.group(1), m.group(3) or ""), str(value))
        monkeypatch.setenv(name, resolved)
    monkeypatch.setenv("PUHETURVA_DATA_DIR", str(tmp_path))
    settings = Settings()  # raises ConfigError if compose leaves out something production requires
    assert settings.environment == "production" and settings.audit_key is not None


def test_empty_clients_file_setting_fails_at_start_not_per_webhook(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """#25: ``PUHETURVA_CLIENTS_FILE=`` used to become ``Path('.')`` and a 500 on every delivery."""
    monkeypatch.setenv("PUHETURVA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PUHETURVA_CLIENTS_FILE", "")
    with pytest.raises(ConfigError, match="PUHETURVA_CLIENTS_FILE"):
        Settings()
    env = clean_env(tmp_path / "var", WORKER_THREADS="0", CLIENTS_FILE="")
    with serve(env, tmp_path / "server.log") as served:
        if served.proc.poll() is None:
            answer = _dev_signed_delivery(served.base)
            pytest.fail(f"the server started with an empty clients file; a delivery got {answer.status_code}")
        out = served.output
    assert served.proc.returncode == 3 and "PUHETURVA_CLIENTS_FILE" in out and "Traceback" not in out


def _token_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "puheturva.db") as conn:
        return conn.execute("SELECT count(*) FROM api_tokens").fetchone()[0]


def test_demo_keeps_credentials_out_of_the_log_and_does_not_pile_up_tokens(tmp_path: Path) -> None:
    """#25: ``make run`` (demo on 127.0.0.1) still starts; credentials go to a 0600 file, once."""
    data = tmp_path / "var"
    env = clean_env(data, WORKER_THREADS="0", DEMO="1")
    with serve(env, tmp_path / "first.log") as served:
        assert served.proc.poll() is None, served.output
    first = served.output
    creds = data / "demo-credentials.txt"
    assert creds.is_file() and stat.S_IMODE(creds.stat().st_mode) == 0o600
    secrets_ = re.findall(r"(?:password|token): (\S+)", creds.read_text(encoding="utf-8"))
    assert len(secrets_) == 6, "a password and a token for each of the three demo accounts"
    assert str(creds) in first and "demo-reviewer" in first
    assert _token_count(data) == 3
    with serve(env, tmp_path / "second.log") as served:
        assert served.proc.poll() is None, served.output
    second = served.output
    for secret in secrets_:
        assert secret not in first and secret not in second, "a live credential reached the console log"
    assert _token_count(data) == 3, "a restart issues no new tokens"
    with serve(env, tmp_path / "exposed.log", host="0.0.0.0") as served:
        assert served.proc.poll() is not None, "the demo is refused beyond loopback"
