"""The committed bad-input corpus (``tests/data/bad_inputs``) against the real webhook, on SQLite and PostgreSQL.

Every refused delivery gets its documented 4xx with a PII-free ``{"error", "detail"}`` body and leaves the
store exactly as it was: the same row count in every table and byte-identical blob files. Odd-but-valid
recordings (8 kHz, 44.1 kHz, 48 kHz stereo) are accepted.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.calls.telephony_client import multipart, signed_call
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings
from service.platform.signing import signed_headers
from service.store.models import Call
from tests.hostile_audio import silent_flac, silent_wav
from tests.reliability.conftest import clear_caches, tokens_for_roles
from tests.reliability.helpers import BAD, DATA, PG_ENV, ROOT, free_port, pg_schema_url, post_call, snapshot
from tests.serving import uvicorn_server

CASES = json.loads((BAD / "cases.json").read_text(encoding="utf-8"))
GOOD_AUDIO = (BAD / "rate_8k.wav").read_bytes()


def meta_for(name: str, **extra: Any) -> dict[str, Any]:
    return {**CASES["valid_metadata"], "call_id": f"bad-input-{name}", **extra}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def corpus_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per database for the whole corpus (the store is compared around every case)."""
    data = tmp_path_factory.mktemp(f"corpus-{request.param}") / "var"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PUHETURVA_DATA_DIR", str(data))
        for var in ("ENCRYPTION_KEY", "INDEX_KEY", "ENVIRONMENT", "CLIENTS_FILE", "WEBHOOK_SECRET", "DEMO",
                    "QUEUE", "MAX_AUDIO_SECONDS", "MAX_UPLOAD_BYTES"):
            mp.delenv(f"PUHETURVA_{var}", raising=False)
        if request.param == "sqlite":
            mp.setenv("PUHETURVA_DATABASE_URL", f"sqlite:///{data / 'puheturva.db'}")
            clear_caches()
            with TestClient(create_app(get_settings(), workers=False)) as client:
                yield client
        else:
            with pg_schema_url() as url:
                mp.setenv("PUHETURVA_DATABASE_URL", url)
                clear_caches()
                with TestClient(create_app(get_settings(), workers=False)) as client:
                    yield client
    clear_caches()


@pytest.fixture(scope="module")
def corpus_admin(corpus_api: TestClient) -> str:
    """An admin's bearer token on the corpus app."""
    return tokens_for_roles(corpus_api.app.state.ctx.db)["admin"]


def state(api: TestClient) -> tuple[dict[str, int], dict[str, str]]:
    return snapshot(api.app.state.ctx.db, api.app.state.ctx.settings.blob_dir)


def assert_refused(r: Any, status: int, error: str, before: Any, api: TestClient) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "detail"} and body["error"] == error, body
    assert "Traceback" not in r.text
    assert state(api) == before, "a refused delivery changed the store"


@pytest.mark.parametrize("case", CASES["audio"], ids=[c["file"] for c in CASES["audio"]])
def test_audio_corpus(corpus_api: TestClient, case: dict[str, Any]) -> None:
    before = state(corpus_api)
    audio = (BAD / case["file"]).read_bytes()
    r = post_call(corpus_api, meta_for(case["file"].replace(".", "-")), audio)
    if case["status"] == 202:
        assert r.status_code == 202, r.text
        counts, blobs = state(corpus_api)
        assert counts["calls"] == before[0]["calls"] + 1 and len(blobs) == len(before[1]) + 1
    else:
        assert_refused(r, case["status"], case["error"], before, corpus_api)


@pytest.mark.parametrize("case", CASES["metadata"], ids=[c["name"] for c in CASES["metadata"]])
def test_metadata_corpus(corpus_api: TestClient, case: dict[str, Any]) -> None:
    raw = case["metadata"]
    if "nest" in case:
        raw = raw.replace("NEST", "[" * case["nest"] + "]" * case["nest"])
    before = state(corpus_api)
    r = post_call(corpus_api, raw, GOOD_AUDIO)
    if case["status"] != 202:
        assert_refused(r, case["status"], case["error"], before, corpus_api)
        for secret_ish in ("passwd", "etc/", "DROP TABLE", "lasku", "\u202e", "\\u0000"):
            assert secret_ish not in r.json()["detail"], "the error echoes the input"
        return
    assert r.status_code == 202, r.text
    with corpus_api.app.state.ctx.db.session() as s:
        call = s.scalars(sa.select(Call).where(Call.external_id == r.json()["call_id"])).one()
        assert call.queue == json.loads(raw)["queue"], "free text is stored verbatim (parameterised SQL)"
    assert state(corpus_api)[0]["calls"] == before[0]["calls"] + 1


def _signed_raw(api: TestClient, body: bytes, ctype: str | None) -> Any:
    headers = signed_headers(DEV_WEBHOOK_SECRET, f"msg_raw_{time.monotonic_ns()}", body)
    if ctype is not None:
        headers["content-type"] = ctype
    return api.post("/v1/calls", content=body, headers=headers)


MULTI_BODY, MULTI_TYPE = multipart(meta_for("ctype"), GOOD_AUDIO, boundary="b0undary")


@pytest.mark.parametrize("body,ctype,status,error", [
    (b"", None, 415, "unsupported_media_type"),
    (b"", "multipart/form-data; boundary=b0undary", 422, "missing_audio"),
    (json.dumps(meta_for("json")).encode(), "application/json", 415, "unsupported_media_type"),
    (GOOD_AUDIO, "audio/wav", 415, "unsupported_media_type"),
    (b"call_id=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (MULTI_BODY, "text/plain", 415, "unsupported_media_type"),
    (MULTI_BODY, "multipart/mixed; boundary=b0undary", 415, "unsupported_media_type"),
    (MULTI_BODY, "multipart/form-data", 400, "bad_multipart"),
    (MULTI_BODY, "multipart/form-data; boundary=another", 400, "bad_multipart"),
    (MULTI_BODY[: len(MULTI_BODY) // 2], MULTI_TYPE, 422, "missing_audio"),
], ids=["empty-no-type", "empty-multipart", "json", "raw-wav", "urlencoded", "text-plain", "multipart-mixed",
        "no-boundary", "wrong-boundary", "cut-multipart"])
def test_wrong_content_types(corpus_api: TestClient, body: bytes, ctype: str | None, status: int,
                             error: str) -> None:
    before = state(corpus_api)
    assert_refused(_signed_raw(corpus_api, body, ctype), status, error, before, corpus_api)


def test_multipart_with_two_audio_files_or_metadata_as_file(corpus_api: TestClient) -> None:
    meta = json.dumps(meta_for("two-files"))
    b = "xx2"
    two = (f"--{b}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{meta}\r\n"
           f"--{b}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\n").encode() \
        + GOOD_AUDIO + (f"\r\n--{b}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"b.wav\"\r\n\r\n"
                        ).encode() + GOOD_AUDIO + f"\r\n--{b}--\r\n".encode()
    before = state(corpus_api)
    assert_refused(_signed_raw(corpus_api, two, f"multipart/form-data; boundary={b}"), 400, "bad_multipart",
                   before, corpus_api)
    as_file = (f"--{b}\r\nContent-Disposition: form-data; name=\"metadata\"; filename=\"m.json\"\r\n\r\n"
               f"{meta}\r\n--{b}\r\nContent-Disposition: form-data; name=\"audio\"\r\n\r\n").encode() \
        + b"not a file part" + f"\r\n--{b}--\r\n".encode()
    assert_refused(_signed_raw(corpus_api, as_file, f"multipart/form-data; boundary={b}"), 422, "missing_audio",
                   before, corpus_api)


def test_over_limit_audio_is_413_and_stores_nothing(make_api: Any, db_url: str) -> None:
    with make_api(DATABASE_URL=db_url, MAX_AUDIO_SECONDS="2") as api:
        before = state(api)
        r = post_call(api, meta_for("too-long"), (DATA / "phone.wav").read_bytes())  # 6.3 s
        assert_refused(r, 413, "audio_too_long", before, api)
        assert post_call(api, meta_for("short-enough"), GOOD_AUDIO).status_code == 202  # 1 s


def _send_and_read(base_url: str, head: bytes, chunks: Iterator[bytes]) -> tuple[int, bytes]:
    """Send ``head`` then chunks until the server answers or stops reading; returns (body bytes sent, answer)."""
    host, port = base_url.removeprefix("http://").split(":")
    sent, answer = 0, b""
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head)
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:  # the server answered (or closed): stop sending
                break
            try:
                sock.sendall(chunk)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):  # it stopped reading
                break
            sent += len(chunk)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _complete(answer):
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            answer += data
    return sent, answer


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    return len(body) >= length


class _ReadCounter:
    """ASGI wrapper that counts the request-body bytes the app pulled: what the server *read*, which, unlike
    what a client managed to send, does not depend on how much the kernel's socket buffers hold."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.body_bytes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            self.body_bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


def test_50_mb_upload_is_refused_before_it_is_read(make_api: Any, db_url: str) -> None:
    """Declared length over the limit: 413 before the body is read; chunked without a length: at the limit."""
    mib = 1024 * 1024
    with make_api(DATABASE_URL=db_url) as api:  # the default limit: 50 MiB (+ multipart overhead)
        before = state(api)
        counter = _ReadCounter(api.app)
        with uvicorn_server(counter) as base:
            body = b"\0" * mib
            signed = signed_headers(DEV_WEBHOOK_SECRET, "msg_big", b"irrelevant")
            common = "".join(f"{k}: {v}\r\n" for k, v in signed.items())
            head = (f"POST /v1/calls HTTP/1.1\r\nHost: x\r\n{common}Content-Type: multipart/form-data; "
                    f"boundary=b\r\nContent-Length: {51 * mib}\r\n\r\n").encode()
            _, answer = _send_and_read(base, head, (body for _ in range(51)))
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert b'"too_large"' in answer
            assert counter.body_bytes <= 1 * mib, f"the server read {counter.body_bytes} bytes before refusing"
            counter.body_bytes = 0
            head = (f"POST /v1/calls HTTP/1.1\r\nHost: x\r\n{common}Content-Type: multipart/form-data; "
                    f"boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
            chunk = f"{mib:x}\r\n".encode() + body + b"\r\n"
            sent, answer = _send_and_read(base, head, (chunk for _ in range(60)))
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert 50 * mib <= counter.body_bytes <= 52 * mib, f"read {counter.body_bytes} bytes: stops at the limit"
            assert sent < 60 * (mib + 16), "the client was stopped before it sent everything"
        assert state(api) == before


def test_store_unchanged_file_listing_is_exact(corpus_api: TestClient, tmp_path: Path) -> None:
    """The comparison itself can fail: a blob written behind the store's back is seen."""
    before = state(corpus_api)
    root = corpus_api.app.state.ctx.settings.blob_dir
    stray = root / "calls" / "stray.tmp"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"x")
    try:
        assert state(corpus_api) != before
    finally:
        stray.unlink()
    assert state(corpus_api) == before


@pytest.mark.parametrize("path", ["/v1/calls/..%2F..%2Fkeys%2Fencryption.key", "/v1/calls/%2e%2e%2fpuheturva.db",
                                  "/v1/calls/x'%20OR%20'1'%3D'1", "/v1/calls/%F0%9F%93%9E",
                                  "/v1/calls/pbx%00-1/audio", "/v1/calls/" + "a" * 5000])
def test_read_paths_with_traversal_or_sql_are_refused(corpus_api: TestClient, corpus_admin: str, path: str) -> None:
    before = state(corpus_api)
    r = corpus_api.get(path, headers={"authorization": f"Bearer {corpus_admin}"})
    assert r.status_code in (404, 422), r.text
    assert set(r.json()) == {"error", "detail"} and "encryption" not in r.text and "SQLite" not in r.text
    assert state(corpus_api)[1] == before[1]


# --- hostile audio against a real server process (review #1, #10) ---------------------------------------

@contextlib.contextmanager
def served_process(tmp_path: Path, db_url: str, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``puheturva serve`` in its own process (no worker threads): a segfault there is seen, not suffered."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHETURVA_") or k == PG_ENV}
    env.update({"PUHETURVA_DATA_DIR": str(tmp_path / "var"), "PUHETURVA_DATABASE_URL": db_url,
                "PUHETURVA_WORKER_THREADS": "0", "PUHETURVA_ENVIRONMENT": "development"})
    env.update({f"PUHETURVA_{k}": v for k, v in settings.items()})
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).json().get("status") == "ok"
    except (httpx.HTTPError, ValueError):
        return False


def _post_and_check_alive(base: str, proc: subprocess.Popen[bytes], name: str, audio: bytes) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=60) as client:
        try:
            r = post_call(client, meta_for(name), audio)
        except httpx.HTTPError as exc:
            pytest.fail(f"{name}: the server dropped the connection ({type(exc).__name__}); rc={proc.poll()}")
    assert proc.poll() is None, f"{name}: the server process died (rc={proc.returncode})"
    assert _healthy(base), f"{name}: /healthz stopped answering"
    return r


HOSTILE = {"wav-8ch": lambda: silent_wav(8), "wav-12ch": lambda: silent_wav(12),
           "flac-7.1": lambda: silent_flac("7.1", 8)}


def test_many_channel_audio_is_422_and_the_server_lives(tmp_path: Path, db_url: str) -> None:
    """8 and 12 channel WAVs and a 7.1 FLAC: refused from the header (default cap: 2 channels)."""
    with served_process(tmp_path, db_url) as (base, proc):
        for name, make in HOSTILE.items():
            r = _post_and_check_alive(base, proc, name, make())
            assert r.status_code == 422, (name, r.text)
            assert r.json() == {"error": "invalid_audio", "detail": "invalid audio: more than 2 audio channels"}
        assert _post_and_check_alive(base, proc, "quad", silent_wav(4)).status_code == 422
        assert _post_and_check_alive(base, proc, "after", GOOD_AUDIO).status_code == 202


def test_decoder_crash_costs_one_request_not_the_server(tmp_path: Path, db_url: str) -> None:
    """With the cap raised to 8, the 8-channel files reach PyAV and really segfault it: in the decoder's
    child process, which becomes a 422 for that delivery while the server and its next deliveries go on."""
    with served_process(tmp_path, db_url, MAX_AUDIO_CHANNELS="8") as (base, proc):
        for name in ("wav-8ch", "flac-7.1"):
            r = _post_and_check_alive(base, proc, f"crash-{name}", HOSTILE[name]())
            assert r.status_code == 422, (name, r.text)
            assert r.json() == {"error": "invalid_audio", "detail": "invalid audio: audio decoder failed"}
        r = _post_and_check_alive(base, proc, "wav-12ch-capped", HOSTILE["wav-12ch"]())
        assert r.json()["detail"] == "invalid audio: more than 8 audio channels"
        assert _post_and_check_alive(base, proc, "after-crash", GOOD_AUDIO).status_code == 202
        assert _post_and_check_alive(base, proc, "stereo", silent_wav(2)).status_code == 202


# --- the signature before the body, and a bound on bodies in flight (review #10) ------------------------

@pytest.mark.parametrize("headers", ["none", "stale"])
def test_unsigned_40_mb_body_is_refused_before_it_is_read(make_api: Any, db_url: str, headers: str) -> None:
    mib = 1024 * 1024
    with make_api(DATABASE_URL=db_url) as api:
        before = state(api)
        counter = _ReadCounter(api.app)
        with uvicorn_server(counter) as base:
            sig = "" if headers == "none" else "".join(
                f"{k}: {v}\r\n" for k, v in signed_headers(DEV_WEBHOOK_SECRET, "msg_stale", b"x",
                                                           timestamp=int(time.time()) - 3600).items())
            head = (f"POST /v1/calls HTTP/1.1\r\nHost: x\r\n{sig}Content-Type: multipart/form-data; boundary=b\r\n"
                    f"Content-Length: {40 * mib}\r\n\r\n").encode()
            _, answer = _send_and_read(base, head, (b"\0" * mib for _ in range(40)))
            assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
            assert (b'"stale_signature"' if headers == "stale" else b'"bad_signature"') in answer
            assert counter.body_bytes <= mib, f"the server read {counter.body_bytes} bytes before refusing"
        assert state(api) == before


def test_bodies_in_flight_are_bounded_503_with_retry_after(make_api: Any, db_url: str) -> None:
    """One slot: while a slow signed upload holds it, the next delivery gets 503 + Retry-After (after a short wait)."""
    with make_api(DATABASE_URL=db_url, MAX_CONCURRENT_WEBHOOK_BODIES="1") as api, uvicorn_server(api.app) as base:
        req = signed_call(DEV_WEBHOOK_SECRET, meta_for("slow"), GOOD_AUDIO)
        host, port = base.removeprefix("http://").split(":")
        head = ("POST /v1/calls HTTP/1.1\r\nHost: x\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
                + f"Content-Length: {len(req.body)}\r\n\r\n").encode()
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(head + req.body[:1000])  # the body slot is taken, the rest not yet sent
            time.sleep(0.5)
            r = post_call(httpx.Client(base_url=base, timeout=10), meta_for("second"), GOOD_AUDIO)
            assert r.status_code == 503 and r.json()["error"] == "busy", r.text
            assert r.headers["retry-after"] == "5"
            slow.sendall(req.body[1000:])
            answer = slow.recv(65536)
            assert answer.startswith(b"HTTP/1.1 202"), answer[:200]
        assert post_call(httpx.Client(base_url=base, timeout=10), meta_for("third"), GOOD_AUDIO).status_code == 202


# --- the original audio never reaches $TMPDIR (review #9) ------------------------------------------------

def test_large_upload_is_parsed_in_memory_never_spooled_to_tmpdir(make_api: Any, db_url: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spool = tmp_path / "tmpdir"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    rolled: list[int] = []
    original = tempfile.SpooledTemporaryFile.rollover

    def rollover(self: Any) -> None:
        rolled.append(self.tell())
        original(self)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", rollover)
    audio = silent_wav(1, seconds=78, rate=16000)  # 2.5 MB: Starlette's own parser spools anything over 1 MB
    assert len(audio) > 2_400_000
    with make_api(DATABASE_URL=db_url) as api:
        r = post_call(api, meta_for("big-in-memory"), audio)
        assert r.status_code == 202, r.text
    assert rolled == [], f"a multipart part of {rolled} bytes was rolled over to a file in $TMPDIR"
    assert list(spool.iterdir()) == []
