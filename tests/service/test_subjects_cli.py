"""``puheturva subject`` end to end on real SQLite/PostgreSQL: export, restrict, lift, erase, show, list."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from service.cli import app
from service.cli.commands.database import cli_actor
from service.platform.blobstore_factory import blobstore_from_settings
from service.privacy import subjects
from service.store.db import open_database
from service.store.models import AuditEntry, Call, SubjectRequest
from tests.service.subject_seed import OTHER, PEKKA, seed_call

runner = CliRunner()
VERIFY = ["--verification-method", "strong_electronic_id", "--verification", "Suomi.fi-tunnistus 3.12.2026"]


@pytest.fixture
def cli_db(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    db = open_database(db_url)
    blobs = blobstore_from_settings()
    with db.session() as s:
        seed_call(s, blobs, "pbx-c1", PEKKA)
        seed_call(s, blobs, "pbx-c2", OTHER)
    yield db
    db.dispose()


def test_export_restrict_lift_and_erase(cli_db, tmp_path: Path) -> None:
    out = tmp_path / "out" / "pekka.zip"
    res = runner.invoke(app, ["subject", "export", "--phone", PEKKA.phone, "--hetu", PEKKA.hetu, *VERIFY,
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 call(s)" in res.output and PEKKA.hetu not in res.output
    assert out.stat().st_mode & 0o077 == 0, "only the officer may read the export"
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert [c["call_id"] for c in manifest["calls"]] == ["pbx-c1"]
        assert "calls/pbx-c1/redacted.wav" in z.namelist()
    assert PEKKA.hetu.encode() not in out.read_bytes()

    res = runner.invoke(app, ["subject", "restrict", "--phone", PEKKA.phone, *VERIFY])
    assert res.exit_code == 0 and "restricted 1 call(s)" in res.output, res.output
    with cli_db.session() as s:
        assert s.scalars(select(Call.restricted).where(Call.external_id == "pbx-c1")).one() is True
    res = runner.invoke(app, ["subject", "restrict", "--phone", PEKKA.phone, "--lift", *VERIFY])
    assert res.exit_code == 0 and "lifted restriction on 1 call(s)" in res.output, res.output
    with cli_db.session() as s:
        assert s.scalars(select(Call.restricted).where(Call.external_id == "pbx-c1")).one() is False

    declined = runner.invoke(app, ["subject", "erase", "--phone", PEKKA.phone, *VERIFY], input="n\n")
    assert declined.exit_code != 0 and "Erase 1 call(s)" in declined.output
    with cli_db.session() as s:
        assert s.scalars(select(Call.id).where(Call.external_id == "pbx-c1")).first() is not None

    # Four eyes (review #16): the officer who asks for an erasure cannot carry it out.
    res = runner.invoke(app, ["subject", "erase", "--phone", PEKKA.phone, *VERIFY, "--yes"])
    assert res.exit_code == 0, res.output
    pending = json.loads(res.stdout)
    assert pending["status"] == "pending_approval" and "subject approve" in res.stderr
    own = runner.invoke(app, ["subject", "approve", pending["id"], "--yes"])
    assert own.exit_code == 2 and "different privacy officer" in own.output
    rejected = runner.invoke(app, ["subject", "reject", pending["id"], "--reason", "tehty vahingossa"])
    assert rejected.exit_code == 0 and json.loads(rejected.stdout)["status"] == "rejected", rejected.output
    again_rejected = runner.invoke(app, ["subject", "reject", pending["id"], "--reason", "uudestaan"])
    assert again_rejected.exit_code == 2 and "waiting for approval" in again_rejected.output
    with cli_db.session() as s:
        assert s.scalars(select(Call.id).where(Call.external_id == "pbx-c1")).first() is not None
        other = subjects.create_request(s, blobstore_from_settings(), kind="erasure",
                                        identifiers=[("phone", PEKKA.phone)], verification="Passi, tiketti 4411",
                                        verification_method="id_document", actor="tsv-liisa",
                                        role="privacy_officer")
    res = runner.invoke(app, ["subject", "approve", str(other.id), "--yes"])
    assert res.exit_code == 0, res.output
    receipt = json.loads(res.output)
    assert receipt["status"] == "completed" and [d["call_id"] for d in receipt["deleted"]] == ["pbx-c1"]
    with cli_db.session() as s:
        assert list(s.scalars(select(Call.external_id))) == ["pbx-c2"]
        kinds = [r.kind for r in s.scalars(select(SubjectRequest).order_by(SubjectRequest.created_at))]
        assert kinds == ["access", "restriction", "lift_restriction", "erasure", "erasure"]
        who = {(a.actor, a.role) for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("subject.%")))}
        assert who == {(cli_actor(), "privacy_officer"), ("tsv-liisa", "privacy_officer")}
        approved = s.get(SubjectRequest, other.id)
        assert approved.approved_by == cli_actor() and approved.verification_method == "id_document"

    again = tmp_path / "again.zip"
    res = runner.invoke(app, ["subject", "export", "--phone", PEKKA.phone, *VERIFY, "--out", str(again)])
    assert res.exit_code == 0 and "0 call(s)" in res.output
    with zipfile.ZipFile(again) as z:
        assert json.loads(z.read("manifest.json"))["calls"] == []

    listing = runner.invoke(app, ["subject", "list"])
    assert listing.exit_code == 0 and listing.output.count("\n") == 6
    shown = runner.invoke(app, ["subject", "show", receipt["id"]])
    assert shown.exit_code == 0 and json.loads(shown.output)["kind"] == "erasure"


def test_refusals_say_why_without_the_value(cli_db) -> None:
    res = runner.invoke(app, ["subject", "restrict", *VERIFY])
    assert res.exit_code == 2 and "give at least one" in res.output
    res = runner.invoke(app, ["subject", "restrict", "--hetu", "1310-52308", *VERIFY])
    assert res.exit_code == 2 and "not a henkilötunnus" in res.output and "1310" not in res.output
    res = runner.invoke(app, ["subject", "restrict", "--hetu", "131052-308X", *VERIFY])
    assert res.exit_code == 2 and "check character" in res.output and "131052" not in res.output
    res = runner.invoke(app, ["subject", "restrict", "--hetu", PEKKA.hetu, "--verification-method", "in_person",
                              "--verification", f"kysytty hetu {PEKKA.hetu}"])
    assert res.exit_code == 2 and PEKKA.hetu not in res.output
    # Review #16: "yes" is no verification, and the method comes from a fixed list.
    res = runner.invoke(app, ["subject", "restrict", "--phone", PEKKA.phone, "--verification-method", "in_person",
                              "--verification", "yes"])
    assert res.exit_code == 2 and "reference" in res.output
    res = runner.invoke(app, ["subject", "restrict", "--phone", PEKKA.phone, "--verification-method", "asked",
                              "--verification", "Passi toimipisteessä"])
    assert res.exit_code == 2 and "verification method must be one of" in res.output
    res = runner.invoke(app, ["subject", "restrict", "--phone", PEKKA.phone, "--verification", "Passi toimipisteessä"])
    assert res.exit_code == 2, "the method is required"
    assert runner.invoke(app, ["subject", "show", "123e4567-e89b-12d3-a456-426614174000"]).exit_code == 2
    with cli_db.session() as s:
        assert s.scalars(select(SubjectRequest)).first() is None
