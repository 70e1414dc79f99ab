"""Plural forms through Babel's CLDR rules (review J1 #6: "1 puhelua", "1 calls")."""

from __future__ import annotations

import pytest

from service.ui.i18n import MESSAGES, plural_form, plural_key, translator


@pytest.mark.parametrize(("lang", "n", "form"), [
    ("fi", 0, "other"), ("fi", 1, "one"), ("fi", 2, "other"), ("fi", 21, "other"),
    ("en", 0, "other"), ("en", 1, "one"), ("en", 2, "other"), ("en", 101, "other"),
])
def test_plural_form_follows_cldr(lang: str, n: int, form: str) -> None:
    assert plural_form(lang, n) == form


@pytest.mark.parametrize(("lang", "n", "text"), [
    ("fi", 1, "1 puhelu"), ("fi", 2, "2 puhelua"), ("fi", 0, "0 puhelua"), ("fi", 1234, "1\xa0234 puhelua"),
    ("en", 1, "1 call"), ("en", 2, "2 calls"), ("en", 0, "0 calls"), ("en", 1234, "1,234 calls"),
])
def test_counted_strings_pick_their_form_and_write_the_number_the_languages_way(lang: str, n: int,
                                                                               text: str) -> None:
    assert translator(lang)("calls.count", n=n) == text


def test_days_left_and_plain_keys() -> None:
    en = translator("en")
    assert en("retention.expires_in", n=1) == "expires in 1 day"
    assert en("retention.expires_in", n=3) == "expires in 3 days"
    assert translator("fi")("report.turn", n=3) == "vuoro 3", "an ordinal is not a count: no plural forms"


def test_every_plural_key_has_its_other_form() -> None:
    stems = {k.rsplit(".", 1)[0] for k in MESSAGES if k.endswith(".one")}
    assert stems and all(f"{s}.other" in MESSAGES for s in stems)
    assert plural_key("calls.count", "fi", 1) == "calls.count.one"
