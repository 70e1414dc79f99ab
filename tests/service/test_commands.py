"""The typer sub-apps end to end: users, audit verify, retention sweep/hold, register show."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.commands import audit_app, register_app, retention_app, users_app
from service.privacy import audit
from service.store.db import open_database
from service.store.models import Call
from service.store.repo_users import user_for_token

runner = CliRunner()


@pytest.fixture
def cli_env(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    return db_url


def test_users_add_list_disable(cli_env: str) -> None:
    res = runner.invoke(users_app, ["add", "liisa", "--role", "privacy_officer"])
    assert res.exit_code == 0, res.output
    token = res.output.strip().splitlines()[-1]
    db = open_database(cli_env)
    with db.session() as s:
        assert user_for_token(s, token).role == "privacy_officer"
    assert runner.invoke(users_app, ["add", "liisa"]).exit_code == 1
    listing = runner.invoke(users_app, ["list"])
    assert "liisa" in listing.output and token not in listing.output
    res = runner.invoke(users_app, ["disable", "liisa"])
    assert res.exit_code == 0 and "revoked 1" in res.output
    with db.session() as s:
        assert user_for_token(s, token) is None
    db.dispose()
    assert runner.invoke(users_app, ["disable", "nobody"]).exit_code == 1
    verified = runner.invoke(audit_app, ["verify"])
    assert verified.exit_code == 0 and "OK 2 entries" in verified.output
    assert "user.disable" in runner.invoke(audit_app, ["tail"]).output


def test_retention_commands(cli_env: str, make_call) -> None:
    res = runner.invoke(retention_app, ["sweep", "--dry-run"])
    assert res.exit_code == 0 and '"dry_run": true' in res.output
    db = open_database(cli_env)
    with db.session() as s:
        call_id = make_call(s)
    res = runner.invoke(retention_app, ["hold", str(call_id), "--on", "--reason", "asia 2026/114"])
    assert res.exit_code == 0, res.output
    with db.session() as s:
        assert s.get(Call, call_id).legal_hold is True
        assert audit.recent(s, 1)[0].action == "retention.hold_on"
    db.dispose()
    res = runner.invoke(retention_app, ["hold", "123e4567-e89b-12d3-a456-426614174000", "--on",
                                          "--reason", "asia 2026/114"])
    assert res.exit_code == 1 and "no such call" in res.output


def test_register_show_and_check(isolated_settings: Path) -> None:
    res = runner.invoke(register_app, ["show"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    for heading in ("§1 Rekisterinpitäjä", "§6 Rekisterin tietosisältö", "§7 Säännönmukaiset tietolähteet",
                    "§9 Säilytysajat", "Teletunnistetiedot", "Oikeutettu etu"):
        assert heading in res.output
    assert runner.invoke(register_app, ["check"]).exit_code == 0


def test_register_check_reports_a_broken_file(isolated_settings: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "register.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    monkeypatch.setenv("PUHETURVA_REGISTER_FILE", str(bad))
    res = runner.invoke(register_app, ["check"])
    assert res.exit_code == 1 and "invalid register" in res.output
