"""The README's settings table is generated from the settings class, so the docs cannot drift."""

from __future__ import annotations

from pathlib import Path

from service.platform.settings_doc import BEGIN, END, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_matches_the_settings_class() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == settings_table(), "run: .venv/bin/python -m service.platform.settings_doc and paste into README.md"


def test_readme_opens_with_the_two_commands() -> None:
    lines = [ln for ln in README.read_text(encoding="utf-8").splitlines() if ln.strip()]
    code = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert code[0].startswith("make run") and code[1].startswith("make test")
