"""Subject index: one identity in different spellings meets; a hetu only as written; no raw values stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.privacy import subject_index as si
from service.store.models import SubjectTerm

KEY = b"k" * 32


@pytest.mark.parametrize(("kind", "a", "b"), [
    ("phone", "040 123 4567", "+358401234567"),
    ("phone", "0401234567", "+358 40 123 45 67"),
    ("email", " Matti.Meikalainen@Example.FI ", "matti.meikalainen@example.fi"),
    ("iban", "FI21 1234 5600 0007 85", "fi2112345600000785"),
    ("customer_number", "AS-123 456", "as123456"),
    ("hetu", "131052-308t", "131052-308T"),
])
def test_spellings_of_one_identity_meet(kind: str, a: str, b: str) -> None:
    assert si.index_terms(kind, a, key=KEY) == si.index_terms(kind, b, key=KEY)


def test_hetu_separator_is_part_of_the_identity() -> None:
    assert si.normalise("hetu", "131052-308T") == "131052-308T"
    assert si.index_terms("hetu", "131052-308T", key=KEY) != si.index_terms("hetu", "131052A308T", key=KEY)


def test_kind_and_key_separate_terms() -> None:
    assert si.index_terms("customer_number", "0401234567", key=KEY) != si.index_terms(
        "phone", "0401234567", key=KEY)
    other_key = si.index_terms("phone", "0401234567", key=b"x" * 32)
    assert si.index_terms("phone", "0401234567", key=KEY) != other_key


@pytest.mark.parametrize(("kind", "value"), [("phone", "12"), ("hetu", "131052/308T"), ("email", "no-at"),
                                             ("iban", "12345"), ("passport", "X")])
def test_invalid_identifiers_are_refused_without_echo(kind: str, value: str) -> None:
    with pytest.raises(si.InvalidIdentifier) as err:
        si.index_terms(kind, value, key=KEY)
    assert value not in str(err.value)


def test_find_calls_by_other_spelling(session: Session, make_call) -> None:
    a, b, c = make_call(session), make_call(session), make_call(session)
    assert si.add(session, a, "phone", "040 123 4567", key=KEY) is True
    assert si.add(session, a, "phone", "+358401234567", key=KEY) is False  # same identity, same call
    si.add(session, b, "phone", "+358 40 123 4567", key=KEY)
    si.add(session, b, "hetu", "131052-308T", key=KEY)
    si.add(session, c, "hetu", "131052A308T", key=KEY)
    session.commit()
    assert si.find_calls(session, [("phone", "0401234567")], key=KEY) == {a, b}
    assert si.find_calls(session, [("hetu", "131052-308t")], key=KEY) == {b}
    assert si.find_calls(session, [("hetu", "131052A308T"), ("phone", "040 1234567")], key=KEY) == {a, b, c}
    assert si.find_calls(session, [("phone", "0401234567")], key=b"x" * 32) == set()
    assert si.find_calls(session, [], key=KEY) == set()


def test_raw_values_are_never_stored(session: Session, make_call) -> None:
    call = make_call(session)
    n = si.replace_call(session, call, [("phone", "040 123 4567"), ("hetu", "131052-308T"),
                                        ("email", "a@b.fi"), ("phone", "not a number")], key=KEY)
    session.commit()
    assert n == 3
    rows = session.scalars(select(SubjectTerm)).all()
    dump = " ".join(f"{r.hmac} {r.kind}" for r in rows)
    for raw in ("4567", "358", "131052", "308T", "a@b.fi"):
        assert raw not in dump
    assert si.replace_call(session, call, [("email", "a@b.fi")], key=KEY) == 1
    assert len(session.scalars(select(SubjectTerm)).all()) == 1


def test_party_and_mention_are_kept_apart(session: Session, make_call) -> None:
    """Review #4: the caller's number (metadata) makes the call theirs; a number spoken in it does not."""
    own, other = make_call(session), make_call(session)
    assert si.add(session, own, "phone", "040 123 4567", role=si.PARTY, key=KEY) is True
    assert si.add(session, other, "phone", "+358401234567", key=KEY) is True  # default: only a mention
    session.commit()
    assert si.find_calls(session, [("phone", "0401234567")], key=KEY) == {own, other}
    assert si.find_calls(session, [("phone", "0401234567")], role=si.PARTY, key=KEY) == {own}
    assert si.find_calls(session, [("phone", "0401234567")], role=si.MENTION, key=KEY) == {other}
    # Said aloud in one's own call, the number stays a party term; in metadata, a mention becomes one.
    assert si.add(session, own, "phone", "0401234567", role=si.MENTION, key=KEY) is False
    assert si.add(session, other, "phone", "0401234567", role=si.PARTY, key=KEY) is False
    session.commit()
    assert si.find_calls(session, [("phone", "0401234567")], role=si.PARTY, key=KEY) == {own, other}
    with pytest.raises(ValueError):
        si.add(session, own, "email", "a@b.fi", role="caller", key=KEY)


def test_a_rerun_replaces_mentions_and_keeps_the_parties(session: Session, make_call) -> None:
    call = make_call(session)
    si.add(session, call, "phone", "040 123 4567", role=si.PARTY, key=KEY)
    si.add(session, call, "email", "old@b.fi", key=KEY)
    session.commit()
    assert si.replace_call(session, call, [("email", "new@b.fi"), ("phone", "0401234567")], key=KEY) == 2
    session.commit()
    roles = {(r.kind, r.role) for r in session.scalars(select(SubjectTerm))}
    assert roles == {("phone", "party"), ("email", "mention")}
    assert si.find_calls(session, [("email", "old@b.fi")], key=KEY) == set()


def test_every_index_kind_of_the_identifier_table_round_trips() -> None:
    """Each row of ``redaction.entities`` with an index kind: the pipeline's written form of its example is
    indexed under that kind, and meets the example as an officer would type it."""
    from redaction.entities import SPECS, canonical_value

    rows = [s for s in SPECS.values() if s.index_kind is not None]
    assert {s.index_kind for s in rows} == set(si.KINDS)
    for row in rows:
        kind = si.KIND_FOR_ENTITY[row.type]
        assert kind == row.index_kind and row.example is not None
        written = canonical_value(kind, row.example)
        assert written is not None, kind
        norm = si.normalise(kind, written)
        assert si.normalise(kind, norm) == norm, kind
        assert si.index_terms(kind, written, key=KEY) == si.index_terms(kind, row.example, key=KEY), kind
