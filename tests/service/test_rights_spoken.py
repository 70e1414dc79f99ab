"""A rights request *spoken* in a call (issue 14): real audio, real Whisper, real detector, real queue.

``tests/data/rights_call.wav`` (scripts/make_fixtures.sh): the agent asks how to help on channel 0, the
customer asks on channel 1 what is stored about them. What holds on every CPU is asserted, not a transcript:
faster-whisper's int8 output differs between machines, and the item depends only on the cue words
("haluaisin tietää mitä tietoja minusta"), which espeak-ng + Whisper base keep at every speed tried.
The marketing prohibition of the same done-when is scripted in ``test_rights_items``: no spoken phrasing
tried survives this ASR with its negation.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.audio import decode
from service.pipeline import ProcessResult
from tests.service.test_callbacks import receiver  # noqa: F401 - the api fixture needs the local receiver
from tests.service.test_rights_items import VERIFIED, _token, api, process_call  # noqa: F401 - fixture

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def spoken() -> ProcessResult:
    from service.pipeline.build import RuntimeOptions, get_pipeline

    return get_pipeline(RuntimeOptions()).process(decode(DATA / "rights_call.wav"), {0: "agent", 1: "customer"})


def test_a_spoken_access_request_is_found_in_the_customer_turn(spoken: ProcessResult) -> None:
    assert [i.kind for i in spoken.rights_items] == ["access"]
    item = spoken.rights_items[0]
    turn = next(t for t in spoken.turns if t.index == item.turn)
    assert turn.speaker == "customer"
    assert turn.start <= item.start < item.end <= turn.end
    assert item.cues
    assert "detect_rights" in [a.stage for a in spoken.provenance]


def test_once_confirmed_it_produces_the_subject_access_export(
        api: TestClient, spoken: ProcessResult) -> None:  # noqa: F811 - the imported fixture
    officer = _token(api, "liisa-tsv", "privacy_officer")
    process_call(api, spoken, external_id="spoken-1")
    r = api.get("/v1/privacy/items", headers=officer)
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert (item["kind"], item["call_id"], item["status"]) == ("access", "spoken-1", "pending")
    ok = api.post(f"/v1/privacy/items/{item['id']}/confirm", json=VERIFIED, headers=officer)
    assert ok.status_code == 200, ok.text
    request_id = ok.json()["subject_request"]
    export = api.post(f"/v1/subject-requests/{request_id}/export", headers=officer)
    assert export.status_code == 200, export.text
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert "spoken-1" in json.dumps(manifest)
