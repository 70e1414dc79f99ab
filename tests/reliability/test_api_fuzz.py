"""Schemathesis against the app's own OpenAPI document: every ``/v1`` operation, as anonymous and as each role.

Cases come from ``schemathesis`` strategies (schema-valid and schema-violating), are sent in-process to the
real app on a real database with one processed call seeded, and every answer must: not be a 5xx, carry no
traceback text, and match what the document declares (status code, content type, body schema, headers).
The webhook is also fuzzed with valid signatures, so the generated bodies get past verification and reach
multipart parsing, metadata validation and audio decoding.

Bounded: ``MAX_EXAMPLES`` per operation and mode, derandomised (the same cases on every run), no deadline.
The PostgreSQL run and two of the role/mode combinations are marked ``slow`` (about 80 s together).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", minversion="4.0",
                                   reason="dev dependency schemathesis>=4 (pip install schemathesis)")

import requests  # noqa: E402 - after the skip: schemathesis brings it
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.api.app import create_app  # noqa: E402
from service.platform.config import DEV_WEBHOOK_SECRET, get_settings  # noqa: E402
from service.platform.signing import signed_headers  # noqa: E402
from tests.reliability.conftest import clear_caches, tokens_for_roles  # noqa: E402
from tests.reliability.helpers import BAD, ROLES, pg_schema_url  # noqa: E402

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
SEEDED = "pbx-2001"
FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                                 marks=[pytest.mark.postgres, pytest.mark.slow])])
def fuzz(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app (HTTP only) on a fresh store, one seeded processed call, a token per role, the schema."""
    from tests.ui.seeding import seed_call, stereo_call

    data = tmp_path_factory.mktemp(f"fuzz-{request.param}") / "var"
    with pytest.MonkeyPatch.context() as mp, _database(request.param, data) as url:
        mp.setenv("PUHETURVA_DATA_DIR", str(data))
        mp.setenv("PUHETURVA_DATABASE_URL", url)
        for var in ("ENCRYPTION_KEY", "INDEX_KEY", "ENVIRONMENT", "CLIENTS_FILE", "WEBHOOK_SECRET", "DEMO",
                    "QUEUE", "MAX_AUDIO_SECONDS", "MAX_UPLOAD_BYTES"):
            mp.delenv(f"PUHETURVA_{var}", raising=False)
        clear_caches()
        app = create_app(get_settings(), workers=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            ctx = app.state.ctx
            seed_call(ctx.db, ctx.blobs, stereo_call(SEEDED))
            tokens = {"anonymous": None, **tokens_for_roles(ctx.db)}
            yield {"client": client, "tokens": tokens, "schema": schemathesis.openapi.from_dict(app.openapi())}
    clear_caches()


def _database(kind: str, data: Any) -> Any:
    if kind == "postgresql":
        return pg_schema_url()
    from contextlib import nullcontext

    return nullcontext(f"sqlite:///{data / 'puheturva.db'}")


def v1_operations(schema: Any) -> list[Any]:
    ops = [result.ok() for result in schema.get_all_operations()]
    return [op for op in ops if op.path.startswith("/v1/")]


def send(client: TestClient, case: Any, token: str | None, *, sign: bool = False) -> Any:
    """Serialise the case exactly as a client would, optionally sign the bytes, and send it in-process."""
    kw = case.as_transport_kwargs(base_url="http://testserver")
    for key in ("timeout", "allow_redirects", "verify", "cookies"):
        kw.pop(key, None)
    prepared = requests.Request(**kw).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else (prepared.body or b"")
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("content-length", "host")}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if sign:
        headers.update(signed_headers(DEV_WEBHOOK_SECRET, f"msg_fuzz_{case.id}", body))
    return client.request(prepared.method or "GET", prepared.url or "/", content=body, headers=headers)


def check(case: Any, response: Any) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
        assert set(response.json()) == {"error", "detail"}, response.text


def _matrix() -> list[Any]:
    """Every role with valid cases; invalid cases as anonymous and as the role that reaches most routes
    in the quick run, the other two roles only with ``slow`` (about 10 s each)."""
    out = []
    for mode, label in ((GenerationMode.POSITIVE, "valid"), (GenerationMode.NEGATIVE, "invalid")):
        for role in ("anonymous", *ROLES):
            heavy = mode is GenerationMode.NEGATIVE and role in ("qa_reviewer", "admin")
            out.append(pytest.param(mode, role, id=f"{label}-{role}", marks=[pytest.mark.slow] if heavy else []))
    return out


@pytest.mark.parametrize(("mode", "role"), _matrix())
def test_every_v1_operation(fuzz: dict[str, Any], role: str, mode: GenerationMode) -> None:
    client, token = fuzz["client"], fuzz["tokens"][role]
    ops = v1_operations(fuzz["schema"])
    assert {(op.method.upper(), op.path) for op in ops} >= {
        ("POST", "/v1/calls"), ("GET", "/v1/calls/{call_id}"), ("GET", "/v1/calls/{call_id}/audio")}
    for op in ops:
        @FUZZ_SETTINGS
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            check(case, send(client, case, token))

        run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_signed_webhook_bodies(fuzz: dict[str, Any], mode: GenerationMode) -> None:
    """Generated multipart bodies with a valid signature: parsing, validation and decoding never 5xx."""
    client, op = fuzz["client"], fuzz["schema"]["/v1/calls"]["POST"]
    statuses: set[int] = set()

    @FUZZ_SETTINGS
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = send(client, case, None, sign=True)
        statuses.add(response.status_code)
        check(case, response)

    run()
    assert statuses - {401}, "the signature was accepted, the body itself was judged"


METADATA_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                            st.text(max_size=300), st.lists(st.text(max_size=5), max_size=3),
                            st.dictionaries(st.text(max_size=3), st.text(max_size=8), max_size=3))
METADATA = st.fixed_dictionaries(
    {"call_id": st.one_of(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,20}\Z"), st.text(max_size=140))},
    optional={k: METADATA_VALUES for k in ("started_at", "direction", "caller", "callee", "agent_id", "queue",
                                           "customer_number", "channels", "audio_format", "extra")})


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(meta=METADATA)
def test_signed_webhook_with_arbitrary_metadata(fuzz: dict[str, Any], meta: dict[str, Any]) -> None:
    """Schema-shaped metadata with arbitrary values (unicode, NUL, surrogates, wrong types): 202/409/422 only."""
    from service.calls.telephony_client import signed_call

    audio = (BAD / "rate_8k.wav").read_bytes()
    raw = json.dumps(meta)  # ASCII-escaped: lone surrogates travel as \\ud800, as a JSON sender may send them
    req = signed_call(DEV_WEBHOOK_SECRET, raw, audio)
    response = fuzz["client"].post("/v1/calls", content=req.body, headers=req.headers)
    assert response.status_code in (202, 409, 422), response.text
    assert "Traceback" not in response.text


def test_seeded_call_is_served_per_role_and_conforms(fuzz: dict[str, Any]) -> None:
    """The 200 answers (a processed call and its audio) match their declared schema for every reader."""
    schema, client = fuzz["schema"], fuzz["client"]
    for role, token in fuzz["tokens"].items():
        for path in ("/v1/calls/{call_id}", "/v1/calls/{call_id}/audio"):
            case = schema[path]["GET"].Case(path_parameters={"call_id": SEEDED})
            response = send(client, case, token)
            assert response.status_code == (401 if token is None else 200), (role, path, response.text)
            check(case, response)
