import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redaction import OperatorConfig, RedactionState, Span, redact
from redaction.operators import Hash, Mask, MissingHashKey, Pseudonym, SpanOutOfRange, UnknownOperator

KEY = b"k" * 32


def span(typ: str, text: str, value: str, nth: int = 0, score: float = 1.0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return Span(typ, start, start + len(value), score, "test")


def test_placeholder_is_the_default_with_finnish_labels():
    text = "Tiina Laine 160695-802J 0407651234 a@b.fi FI50 1034 5600 1234 56"
    spans = [span("PERSON", text, "Tiina Laine"), span("HETU", text, "160695-802J"),
             span("PHONE", text, "0407651234"), span("EMAIL", text, "a@b.fi"),
             span("IBAN", text, "FI50 1034 5600 1234 56")]
    result = redact(text, spans)
    assert result.text == "[HENKILÖ] [HETU] [PUHELIN] [SÄHKÖPOSTI] [TILINUMERO]"
    assert [a.operator for a in result.applied] == ["placeholder"] * 5
    for applied in result.applied:
        assert result.text[applied.redacted_start:applied.redacted_end] == applied.replacement


def test_pseudonyms_are_consistent_within_a_call_and_restart_per_call():
    config = OperatorConfig({"PERSON": Pseudonym(), "PHONE": Pseudonym()})
    state = RedactionState()
    first = "Tiina Laine soitti, numero 040 765 1234, ja Pekka Nieminen"
    second = "Tiina Laineelle soitetaan numeroon 0407651234"
    r1 = redact(first, [span("PERSON", first, "Tiina Laine"), span("PHONE", first, "040 765 1234"),
                        span("PERSON", first, "Pekka Nieminen")], config, state)
    r2 = redact(second, [span("PERSON", second, "Tiina Laineelle"), span("PHONE", second, "0407651234")],
                config, state)
    assert r1.text == "[HENKILÖ_1] soitti, numero [PUHELIN_1], ja [HENKILÖ_2]"
    assert r2.text == "[HENKILÖ_1] soitetaan numeroon [PUHELIN_1]"  # inflected and regrouped: same subject
    r3 = redact(second, [span("PERSON", second, "Tiina Laineelle")], config, RedactionState())
    assert r3.text.startswith("[HENKILÖ_1]")
    assert not any("Tiina" in k or "laine" in k for k in state.pseudonyms)  # digests only


def test_a_plain_dict_can_carry_the_call_state():
    config = OperatorConfig({"PERSON": Pseudonym()})
    state: dict = {}
    a = redact("Pekka", [Span("PERSON", 0, 5, 1.0, "t")], config, state)
    two = [Span("PERSON", 0, 5, 1.0, "t"), Span("PERSON", 9, 14, 1.0, "t")]
    b = redact("Tiina ja Pekka", two, config, state)
    assert (a.text, b.text) == ("[HENKILÖ_1]", "[HENKILÖ_2] ja [HENKILÖ_1]")


def test_mask_keeps_layout_and_optionally_the_tail():
    text = "kortti 4000 0000 0000 0002"
    s = span("CARD", text, "4000 0000 0000 0002")
    assert redact(text, [s], OperatorConfig(default=Mask())).text == "kortti **** **** **** ****"
    assert redact(text, [s], OperatorConfig(default=Mask(keep_last=4))).text == "kortti **** **** **** 0002"


def test_hash_is_keyed_stable_and_needs_a_key():
    text = "hetu 120466-512H ja 120466 -512h"
    spans = [span("HETU", text, "120466-512H"), span("HETU", text, "120466 -512h")]
    out = redact(text, spans, OperatorConfig(default=Hash(key=KEY))).applied
    assert out[0].replacement == out[1].replacement  # same identity, different spelling
    assert out[0].replacement.startswith("[HETU:") and len(out[0].replacement) == len("[HETU:]") + 16
    other = redact(text, spans, OperatorConfig(default=Hash(key=b"x" * 32))).applied
    assert other[0].replacement != out[0].replacement
    with pytest.raises(MissingHashKey):
        Hash()


def test_config_from_names():
    names = {"PERSON": "pseudonym", "DEFAULT": "mask", "HETU": "hash"}
    config = OperatorConfig.from_names(names, hash_key=KEY)
    assert config.for_type("PERSON").name == "pseudonym"
    assert config.for_type("PHONE").name == "mask"
    assert config.for_type("HETU").name == "hash"
    with pytest.raises(UnknownOperator):
        OperatorConfig.from_names({"PERSON": "shred"})


def test_overlapping_spans_are_merged_and_bad_spans_refused():
    text = "numero 040 765 1234"
    spans = [Span("NUMBER", 7, 14, 0.6, "t"), Span("PHONE", 7, 19, 0.9, "t")]
    result = redact(text, spans)
    assert result.text == "numero [PUHELIN]"
    assert len(result.spans) == 1
    with pytest.raises(SpanOutOfRange) as err:
        redact(text, [Span("PHONE", 7, 99, 0.9, "t")])
    assert "040" not in str(err.value)


@st.composite
def text_and_spans(draw):
    text = draw(st.text(min_size=0, max_size=80))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = [Span(draw(st.sampled_from(["PERSON", "PHONE", "HETU", "X"])), a, b, 1.0, "t")
             for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans(), st.sampled_from(["placeholder", "pseudonym", "mask", "hash"]))
def test_text_outside_spans_is_byte_identical(case, operator):
    text, spans = case
    result = redact(text, spans, OperatorConfig.from_names({"DEFAULT": operator}, hash_key=KEY))
    pos = out_pos = 0
    for applied in result.applied:
        s = applied.span
        keep = text[pos:s.start]
        assert result.text[out_pos:out_pos + len(keep)] == keep
        out_pos += len(keep)
        assert (applied.redacted_start, applied.redacted_end) == (out_pos, out_pos + len(applied.replacement))
        out_pos += len(applied.replacement)
        pos = s.end
    assert result.text[out_pos:] == text[pos:]
    if operator != "mask":
        for applied in result.applied:  # no replacement carries the value it replaced
            value = text[applied.span.start:applied.span.end]
            if len(value.strip()) >= 8:
                assert value not in applied.replacement
