"""Real calls through the whole service with every logger at DEBUG: no identifier in logs, answers, metrics,
job errors; nothing readable at rest; no secret in a log line.

Two recordings go through the signed webhook, the embedded worker and the real models: the twelve spoken
dev clips (``/work/shared/dev_audio``, joined into one call so the ASR runs once, at its long-audio speed)
and the stereo fixture. ``PUHETURVA_KEEP_RAW_TRANSCRIPT=1``, so the most sensitive artefact exists too.
Identifiers are looked for in every form: as written, as digits in any spacing, as spoken number words,
names and e-mail parts.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.store.kinds import ArtefactKind
from tests.reliability.conftest import clear_caches, tokens_for_roles
from tests.reliability.helpers import DATA, LOGGERS, Capture, post_call

pytestmark = pytest.mark.slow
DEV_AUDIO = Path("/work/shared/dev_audio")
NUMBER_WORDS = {"nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan",
                "yhdeksän", "viiva", "hoo", "ee", "äs", "tee", "dee", "bee", "f", "i"}


@dataclass(frozen=True)
class Gold:
    """One identifier in the forms it may take in text."""

    kind: str
    written: str
    spoken: str = ""

    def patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        out = [("written", re.compile(re.escape(self.written), re.IGNORECASE))]
        digits = re.sub(r"\D", "", self.written)
        if len(digits) >= 6:  # the digits with any spacing, dashes or dots between them
            out.append(("digits", re.compile(r"(?<!\d)" + r"[\s\-.]*".join(digits) + r"(?!\d)")))
        if self.kind in ("PERSON", "ADDRESS", "EMAIL"):
            for part in re.split(r"[\s.@,]+", self.written):
                if len(part) >= 5 and not part.isdigit() and part.lower() not in ("example", "espoo"):
                    out.append(("part", re.compile(rf"\b{re.escape(part)}\b", re.IGNORECASE)))
        words = re.findall(r"\w+", self.spoken.lower())
        run: list[str] = []
        for w in [*words, ""]:  # runs of 4+ spoken digits/letters, matched with any punctuation between
            if w in NUMBER_WORDS:
                run.append(w)
                continue
            for i in range(len(run) - 3):
                out.append(("spoken", re.compile(r"\b" + r"\W+".join(run[i:i + 4]) + r"\b", re.IGNORECASE)))
            run = []
        return out


def gold_identifiers() -> list[Gold]:
    golds = []
    for line in (DEV_AUDIO / "clips.tsv").read_text(encoding="utf-8").splitlines():
        _clip, kind, value, spoken = line.split("\t")
        if kind != "NONE":
            golds.append(Gold(kind, value, spoken))
    stereo = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))["call_stereo.wav"]
    for turn in stereo["turns"]:
        for ident in turn["identifiers"]:
            golds.append(Gold(ident["type"], ident["value"], turn["text"]))
    return golds


def leaks(text: str, golds: list[Gold]) -> list[str]:
    """``kind/form`` of every identifier found in ``text`` (never the value itself)."""
    return sorted({f"{g.kind}/{form}" for g in golds for form, rx in g.patterns() if rx.search(text)})


def joined_clips() -> bytes:
    """The dev clips end to end with 0.8 s pauses, as one 16 kHz mono WAV."""
    pause = np.zeros(int(16000 * 0.8), dtype="<i2")
    parts = []
    for n in range(1, 13):
        with wave.open(str(DEV_AUDIO / f"d{n}.wav"), "rb") as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
            parts += [np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), pause]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.concatenate(parts).tobytes())
    return buf.getvalue()


@dataclass
class Run:
    api: TestClient
    logs: Capture
    data_dir: Path
    tokens: dict[str, str]
    documents: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    metrics: str = ""


def _wait_done(api: TestClient, call_id: str, token: str, timeout: float = 900) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = api.get(f"/v1/calls/{call_id}", headers={"authorization": f"Bearer {token}"}).json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(2)
    raise AssertionError(f"{call_id} was not processed in {timeout} s")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    if not (DEV_AUDIO / "clips.tsv").is_file():
        pytest.skip(f"{DEV_AUDIO} is absent")
    data = tmp_path_factory.mktemp("pii-e2e") / "var"
    capture = Capture()
    root = logging.getLogger()
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in LOGGERS}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PUHETURVA_DATA_DIR", str(data))
        mp.setenv("PUHETURVA_DATABASE_URL", f"sqlite:///{data / 'puheturva.db'}")
        mp.setenv("PUHETURVA_KEEP_RAW_TRANSCRIPT", "1")
        for var in ("ENCRYPTION_KEY", "INDEX_KEY", "ENVIRONMENT", "CLIENTS_FILE", "WEBHOOK_SECRET", "DEMO",
                    "QUEUE", "WORKER_THREADS"):
            mp.delenv(f"PUHETURVA_{var}", raising=False)
        clear_caches()
        root.addHandler(capture)
        for name in LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
            logging.getLogger(name).propagate = True
        try:
            with TestClient(create_app(get_settings())) as api:
                out = Run(api, capture, data, tokens_for_roles(api.app.state.ctx.db))
                _exercise(out)
                yield out
        finally:
            root.removeHandler(capture)
            for name, (level, propagate) in saved.items():
                logging.getLogger(name).setLevel(level)
                logging.getLogger(name).propagate = propagate
    clear_caches()


def _exercise(run: Run) -> None:
    api, admin = run.api, run.tokens["admin"]
    calls = {"pbx-pii-clips": (joined_clips(), {"0": "customer"}),
             "pbx-pii-stereo": ((DATA / "call_stereo.wav").read_bytes(), {"0": "agent", "1": "customer"})}
    for call_id, (audio, channels) in calls.items():
        meta = {"call_id": call_id, "direction": "inbound", "caller": "040 765 1234", "channels": channels,
                "customer_number": "120466-512H"}
        assert post_call(api, meta, audio).status_code == 202
    for call_id in calls:
        doc = _wait_done(api, call_id, admin)
        assert doc["status"] == "done", doc["job"]
        run.documents[call_id] = json.dumps(doc, ensure_ascii=False)
    auth = {"authorization": f"Bearer {admin}"}
    errors = [post_call(api, {"call_id": "pbx-pii-clips", "caller": "0407651234"}, b"RIFF0000WAVEjunk"),
              post_call(api, {"call_id": "131052-308T\u202e"}, calls["pbx-pii-clips"][0][:50_000]),
              post_call(api, {"call_id": "x", "queue": "pekka.nieminen@example.fi" * 10}, b"x"),
              post_call(api, {"call_id": "pbx-pii-clips"}, b"", secret="whsec_" + "QUJD" * 10),
              api.get("/v1/calls/0407651234", headers=auth),
              api.get("/v1/calls/pbx-pii-clips", headers={"authorization": "Bearer 120466-512H"})]
    assert all(400 <= r.status_code < 500 for r in errors), [r.status_code for r in errors]
    run.errors = [r.text for r in errors]
    run.metrics = api.get("/metrics").text


def test_no_identifier_in_debug_logs(run: Run) -> None:
    assert "sqlalchemy.engine" in run.logs.text and "accepted call" in run.logs.text, "the capture saw the run"
    assert leaks(run.logs.text, gold_identifiers()) == []


def test_no_identifier_in_errors_metrics_or_job_reasons(run: Run) -> None:
    golds = gold_identifiers()
    assert leaks("\n".join(run.errors), golds) == []
    assert leaks(run.metrics, golds) == [] and "puheturva_jobs_finished_total" in run.metrics
    for doc in run.documents.values():
        assert json.loads(doc)["job"]["last_error"] is None


def test_redacted_documents_hold_no_written_or_digit_form(run: Run) -> None:
    """What a QA reviewer reads: the identifiers (written, digits, spoken runs) are gone."""
    found = leaks("\n".join(run.documents.values()), gold_identifiers())
    assert [f for f in found if not f.endswith("/part")] == [], found


@pytest.mark.xfail(reason="known redaction miss: in the joined clips the ASR hears 'olen Tiina Laine' as 'oren tiiä "
                          "laine'; the surname, also the common noun 'laine' (wave), survives", strict=False)
def test_redacted_documents_hold_no_name_part(run: Run) -> None:
    assert leaks("\n".join(run.documents.values()), gold_identifiers()) == []


def test_nothing_readable_at_rest(run: Run) -> None:
    """Every blob file: no RIFF header, no transcript word; the database files: no identifier."""
    ctx = run.api.app.state.ctx
    from sqlalchemy import select

    from service.store.models import Artefact

    with ctx.db.session() as s:
        raw_keys = s.scalars(select(Artefact.blob_key).where(
            Artefact.kind == ArtefactKind.RAW_TRANSCRIPT.value)).all()
    assert len(raw_keys) == 2, "the raw transcripts were kept (encrypted)"
    raw_words, raw_text = set(), ""
    for key in raw_keys:
        for turn in json.loads(ctx.blobs.get(key)):
            raw_words |= set(re.findall(r"\w{5,}", turn["text"]))
            raw_text += turn["text"] + "\n"
    assert len(raw_words) > 20
    _assert_leak_finder_sees_raw_identifiers(raw_text)
    blob_files = [p for p in (run.data_dir / "blobs").rglob("*") if p.is_file()]
    assert len(blob_files) >= 4
    for path in blob_files:
        data = path.read_bytes()
        assert b"RIFF" not in data and b"WAVE" not in data, f"{path.name}: plaintext audio"
        assert not [w for w in raw_words if w.encode() in data], f"{path.name}: plaintext transcript"
    db_text = "".join(p.read_bytes().decode("utf-8", errors="replace")
                      for p in run.data_dir.glob("puheturva.db*"))
    assert "pbx-pii-clips" in db_text, "the database files were read"
    found = leaks(db_text, gold_identifiers())
    assert [f for f in found if not f.endswith("/part")] == [], found  # names: see the xfail above


def _assert_leak_finder_sees_raw_identifiers(raw_text: str) -> None:
    """Self-check: the "nothing found" assertions on blobs and database mean something only if ``leaks`` does
    find identifiers in text like the raw transcript.

    Planted, independent of the ASR: each gold identifier written into the raw transcript is found. As
    heard, dependent on the ASR: the int8 transcript differs between CPUs (FINDINGS.md), so no fixed kind
    list holds everywhere. Measured on the raw transcript of these two calls under seven kernel
    configurations (CT2_FORCE_CPU_ISA AVX2 with and without MKL_ENABLE_INSTRUCTIONS=AVX2, AVX512, AVX,
    GENERIC, CT2_USE_MKL=0, and the default on an AVX-512/VNNI Xeon), 8 to 12 of the 14 gold identifiers
    were found (the spoken HETU, phone, IBAN and address runs always; the card, names and e-mail only on
    some). At least 6 leaves room for a CPU we have not measured while still proving the finder is not blind.
    """
    golds = gold_identifiers()
    for g in golds:
        assert f"{g.kind}/written" in leaks(f"{raw_text}\n{g.written}\n", [g]), g.kind
    heard = [g.kind for g in golds if leaks(raw_text, [g])]
    assert len(heard) >= 6, f"the leak finder found only {sorted(heard)} in the raw transcripts"


def test_no_secret_in_logs(run: Run) -> None:
    settings = run.api.app.state.ctx.settings
    raw = DEV_WEBHOOK_SECRET.removeprefix("whsec_")
    secrets = [DEV_WEBHOOK_SECRET, raw, *run.tokens.values()]
    for key in (settings.encryption_key_bytes(), settings.index_key_bytes()):
        secrets += [base64.b64encode(key).decode(), key.hex()]
    assert not [i for i, s in enumerate(secrets) if s in run.logs.text]
