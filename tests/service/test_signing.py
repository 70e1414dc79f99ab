"""Standard Webhooks verification over raw bytes, cross-checked against the reference library."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from service.platform.signing import (
    MissingSignatureHeaders,
    SignatureMismatch,
    StaleTimestamp,
    sign,
    signed_headers,
    verify,
)

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OTHER = "whsec_" + base64.b64encode(b"o" * 32).decode()
CLIENTS = [("telephony", SECRET)]


def test_library_signed_json_body_verifies() -> None:
    body = '{"call_id": "c-1", "ä": "ö"}'
    ts = int(time.time())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(ts),
               "webhook-signature": Webhook(SECRET).sign("msg_1", datetime.fromtimestamp(ts, UTC), body)}
    assert verify(body.encode(), headers, CLIENTS).client == "telephony"


def test_our_signature_verifies_in_the_library_for_json() -> None:
    body = b'{"call_id": "c-2"}'
    headers = signed_headers(SECRET, "msg_2", body)
    assert Webhook(SECRET).verify(body, headers) == {"call_id": "c-2"}


def test_binary_body_verifies_where_the_library_cannot() -> None:
    body = b"--b\r\nContent-Type: audio/wav\r\n\r\nRIFF\xff\xfe\x00\x81\r\n--b--\r\n"
    headers = signed_headers(SECRET, "msg_3", body)
    with pytest.raises(UnicodeDecodeError):
        Webhook(SECRET).verify(body, headers)
    assert verify(body, headers, CLIENTS).msg_id == "msg_3"


@pytest.mark.parametrize("mutate", [
    lambda b, h: (b + b"x", h),
    lambda b, h: (b, {**h, "webhook-id": "other"}),
    lambda b, h: (b, {**h, "webhook-signature": "v1," + base64.b64encode(b"0" * 32).decode()}),
    lambda b, h: (b, {**h, "webhook-signature": "v2," + h["webhook-signature"][3:]}),
    lambda b, h: (b, {**h, "webhook-signature": "v1,not base64!!"}),
])
def test_tampering_is_refused(mutate) -> None:
    body = b"\x00\x01 audio"
    b2, h2 = mutate(body, signed_headers(SECRET, "msg_4", body))
    with pytest.raises(SignatureMismatch):
        verify(b2, h2, CLIENTS)


def test_several_signatures_and_several_clients() -> None:
    body = b"payload"
    ts = int(time.time())
    header = f"v1,{base64.b64encode(b'x' * 32).decode()} {sign(OTHER, 'm', ts, body)}"
    msg = verify(body, {"webhook-id": "m", "webhook-timestamp": str(ts), "webhook-signature": header},
                 [("telephony", SECRET), ("pbx2", OTHER)])
    assert msg.client == "pbx2"


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_stale_or_future_timestamp_is_refused(skew: int) -> None:
    body = b"payload"
    headers = signed_headers(SECRET, "m", body, timestamp=int(time.time()) + skew)
    with pytest.raises(StaleTimestamp):
        verify(body, headers, CLIENTS)


def test_within_tolerance_is_accepted() -> None:
    body = b"payload"
    headers = signed_headers(SECRET, "m", body, timestamp=int(time.time()) - 290)
    assert verify(body, headers, CLIENTS).client == "telephony"


@pytest.mark.parametrize("drop", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers(drop: str) -> None:
    headers = signed_headers(SECRET, "m", b"x")
    del headers[drop]
    with pytest.raises(MissingSignatureHeaders):
        verify(b"x", headers, CLIENTS)
