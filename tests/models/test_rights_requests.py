"""Rights-request detector on real Voikko lemmatisation and the shipped lexicon; no mocks.

The sentences here are not rows of bench/data/rights_*.jsonl. The last tests run the generated dev split and
the clean lines against the targets of issue 14 (the lexicon is deterministic, so they are too).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from models.provenance import sha256_file
from models.rights_requests import (
    DEFAULT_LEXICON,
    KINDS,
    InvalidRightsLexicon,
    RightsDetector,
    Turn,
)

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


@pytest.fixture(scope="module")
def detector() -> RightsDetector:
    return RightsDetector.from_default()


def kinds(detector: RightsDetector, text: str) -> set[tuple[str, str | None]]:
    return {(h.kind, h.channel) for h in detector.detect_text(text)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Haluaisin tietää, mitä tietoja teillä on minusta tallennettuna.", {("access", None)}),
    ("saisinko kopion kaikista henkilötiedoistani", {("access", None)}),
    ("Poistakaa minun tiedot teidän järjestelmistä.", {("erasure", None)}),
    ("haluan että kaikki henkilötietoni hävitetään", {("erasure", None)}),
    ("Osoitteeni on väärin rekisterissänne.", {("rectification", None)}),
    ("sukunimeni on väärin teillä korjatkaa se", {("rectification", None)}),
    ("rajoittakaa henkilötietojeni käsittelyä kunnes valitus on käsitelty", {("restriction", None)}),
    ("siirtäkää asiakastietoni uudelle palveluntarjoajalle", {("portability", None)}),
    ("vastustan henkilötietojeni käyttöä profilointiin", {("objection", None)}),
    ("en halua enää puhelinmyyntiä", {("marketing_prohibition", "phone")}),
    ("Saa lähettää tarjouksia sähköpostiin.", {("marketing_consent", "email")}),
    ("laittakaa markkinointikielto", {("marketing_prohibition", "all")}),
])
def test_requests_found(detector: RightsDetector, text: str, expected: set[tuple[str, str | None]]) -> None:
    assert kinds(detector, text) == expected


@pytest.mark.parametrize("text", [
    "en halua poistaa tietojani",
    "ei tarvitse poistaa mitään",
    "en ole pyytänyt tietojeni poistoa",
    "voisinko ehkä joskus pyytää tietojen poistoa",
    "jos haluaisin poistaa henkilötietoni niin miten se tehdään",
    "periaatteessa voiko tietoja siirtää toiselle yhtiölle",
    "en halua kieltää markkinointia",
    "tietojani ei tarvitse korjata",
    "tilasin uutiskirjeen mutta se ei tule perille",
])
def test_negation_and_hedging_give_nothing(detector: RightsDetector, text: str) -> None:
    assert detector.detect_text(text) == ()


def test_a_request_after_a_negated_clause_still_counts(detector: RightsDetector) -> None:
    text = "en halua mitään tarjouksia mutta poistakaa kaikki tietoni"
    assert ("erasure", None) in kinds(detector, text)
    # an imperative starts a new clause in unpunctuated speech: the negation does not reach "lopettakaa"
    assert kinds(detector, "ei kiinnosta mainokset lopettakaa") == {("marketing_prohibition", "all")}


@pytest.mark.parametrize(("text", "expected"), [
    # fillers take no room and do not break "mun tiedot"
    ("lukitkaa mun öö niinku tiedot", {("restriction", None)}),
    # spoken spellings Voikko misreads ("haluun" is not "halu", "tieot" is not "teko")
    ("mä haluun et mun tieot poistetaan", {("erasure", None)}),
    # "minua koskevat tiedot" is the speaker's own data
    ("pyydän yhteenvedon minua koskevista tiedoista", {("access", None)}),
    ("millaisia henkilötietoja teillä on musta", {("access", None)}),
    ("ottakaa mun tiedot pois asiakasrekisteristä", {("erasure", None)}),
    ("jätän nyt poistopyynnön", {("erasure", None)}),
    ("deletoikaa henkilötietoni", {("erasure", None)}),
    ("poistakaa tietoni kokonaan", {("erasure", None)}),  # Voikko reads "kokonaan" as a possessive form
    # the pronoun refers to data named earlier in the turn
    ("te keräätte tietoja minusta enkä halua sitä hävittäkää ne", {("erasure", None)}),
    ("vetoan vastustamisoikeuteeni", {("objection", None)}),
    ("saatte olla yhteydessä kampanjoista", {("marketing_consent", "all")}),
    ("olen kiinnostunut vastaanottamaan uutiskirjeen", {("marketing_consent", "all")}),
    # a contact verb names the phone only when no medium is named
    ("voi soittaa tarjouksista sähköpostitse", {("marketing_consent", "email")}),
    # ASR slips Voikko does not know are read as the lexicon word one letter away, not as its first guess
    ("poistaka kaikki mun tieot", {("erasure", None)}),  # not "poistaja", not "teot"
    ("mun henkilötiedot eivät pidä paikkaansa teillä", {("rectification", None)}),
    ("älkää profiloiko mua", {("objection", None)}),
    ("älkää mainostako mulle", {("marketing_prohibition", "all")}),
    # a consent said negated is a prohibition
    ("en anna suostumusta suoramarkkinointiin", {("marketing_prohibition", "all")}),
    ("en hyväksy mainontaa sähköpostiin", {("marketing_prohibition", "email")}),
    ("kieltäydyn kaikesta markkinoinnista", {("marketing_prohibition", "all")}),
    ("ottakaa numeroni pois puhelinmyyntilistalta", {("marketing_prohibition", "phone")}),
    ("lisätkää minut uutiskirjelistalle", {("marketing_consent", "all")}),
    ("mainonta käy mulle", {("marketing_consent", "all")}),
    ("lopettakaa minun profiloiminen", {("objection", None)}),
    ("en halua että henkilötietojani hyödynnetään", {("objection", None)}),
    ("pitäkää tiedot tallessa mutta älkää käsitelkö niitä ennen kuin asia on ratkaistu", {("restriction", None)}),
    ("muuttakaa sukunimeni oikeaksi", {("rectification", None)}),
    ("en tahdo olla teidän tietokannassa", {("erasure", None)}),
])
def test_general_constructions(detector: RightsDetector, text: str, expected: set[tuple[str, str | None]]
                               ) -> None:
    assert kinds(detector, text) == expected


@pytest.mark.parametrize("text", [
    "poistakaa ne",  # no data named in the turn
    "laskussa on kaksi maksua poistakaa ne",
    "äitini pyysi tietojensa poistamista",  # someone else's data
    "hän haluaa että tiedot poistetaan",
    "en vastusta tietojeni käyttöä",  # a negated objection is no objection
    "mitä tarkoittaa käsittelyn rajoittaminen",
    "ehkä pyydän tietojeni poistoa",
    "kannattaako tietoni siirtää toiselle yhtiölle",
    "lukitkaa lapsen kortin käyttö",  # any use is not the use of personal data
    "mitä tietoja teille pitää toimittaa minusta",  # data the customer gives, not data asked for
    "markkinoinnissa luvattien ilmainen kuukausi",  # a slip far from "lupa" stays unread
    "en anna lupaa asentajalle",  # a refused permission that is not about marketing
    "tiedot on kunnossa en halua muuttaa niitä",
    "en halua olla järjestelmässä kirjautuneena",
    "markkinointi käy hermoille",
])
def test_general_non_requests(detector: RightsDetector, text: str) -> None:
    assert detector.detect_text(text) == ()


@pytest.mark.parametrize(("text", "expected", "evidence"), [
    ("Poistakaa henkilö tietoni.", {("erasure", None)}, "Poistakaa henkilö tietoni"),
    ("en halua sähkö posti mainoksia", {("marketing_prohibition", "email")}, "halua sähkö posti mainoksia"),
    ("markkinointi kielto kiitos", {("marketing_prohibition", "all")}, "markkinointi kielto"),
    ("lähettäkää lasku sähkö postiin", set(), ""),
])
def test_compounds_asr_wrote_as_two_words_are_joined(detector: RightsDetector, text: str,
                                                     expected: set[tuple[str, str | None]], evidence: str) -> None:
    hits = detector.detect_text(text)
    assert {(h.kind, h.channel) for h in hits} == expected
    assert all(text[h.char_start:h.char_end] == evidence for h in hits)


@pytest.mark.parametrize(("text", "channels"), [
    ("älkää lähettäkö mainoksia tekstiviestillä", {"sms"}),
    ("en halua sähköpostimainoksia enkä myyntipuheluita", {"email", "phone"}),
    ("en halua mainoskirjeitä postiluukkuun", {"post"}),
    ("kieltäkää kaikki markkinointi", {"all"}),
    ("voitte lähettää tarjouksia puhelimeen tekstiviestinä", {"sms"}),  # "puhelimeen" is the device
    ("tilaan uutiskirjeen sähköpostiin", {"email"}),  # "uutiskirje" names no letter
])
def test_marketing_channels(detector: RightsDetector, text: str, channels: set[str]) -> None:
    hits = detector.detect_text(text)
    assert hits and {h.channel for h in hits} == channels
    assert all(h.kind.startswith("marketing_") for h in hits)


def test_agent_lines_are_ignored_and_evidence_points_into_the_customer_turn(detector: RightsDetector) -> None:
    turns = [
        Turn("agent", "Voin poistaa tiedot ja lopettaa markkinoinnin jos haluatte.", 0.0, 3.5),
        Turn("customer", "Joo kiitos. Poistakaa kaikki tietoni teidän rekisteristä.", 3.8, 7.2),
        Turn("agent", "Haluatteko kieltää myös puhelinmyynnin?", 7.5, 9.0),
    ]
    hits = detector.detect(turns)
    assert [h.kind for h in hits] == ["erasure"]
    hit = hits[0]
    assert (hit.turn_index, hit.start, hit.end) == (1, 3.8, 7.2)
    evidence = turns[1].text[hit.char_start:hit.char_end].lower()
    assert evidence.startswith("poistakaa") and evidence.endswith("tietoni")  # the strongest object cue
    assert set(hit.cues) >= {"poistaa", "tieto"}
    assert 0 < hit.score <= 1 and hit.cue_id.startswith("erasure.")
    assert detector.detect(turns, speakers=("agent",)) != ()  # the agent's lines do match when asked for
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.kind = "access"  # type: ignore[misc]


def test_placeholders_and_several_requests_in_one_turn(detector: RightsDetector) -> None:
    turn = Turn("customer", "[HENKILÖ] täällä. Haluan kopion tiedoistani. Ja en halua enää mainoksia "
                            "sähköpostiin.", 10.0, 16.0)
    hits = detector.detect([turn])
    assert [(h.kind, h.channel) for h in hits] == [("access", None), ("marketing_prohibition", "email")]
    assert hits[0].char_end <= hits[1].char_start


def test_offsets_survive_characters_that_grow_when_lower_cased(detector: RightsDetector) -> None:
    text = "İİ POISTAKAA KAIKKI TIETONI."
    (hit,) = detector.detect([Turn("customer", text, 0.0, 2.0)])
    assert text[hit.char_start:hit.char_end] == "POISTAKAA KAIKKI TIETONI"


def test_model_info_records_the_lexicon(detector: RightsDetector) -> None:
    info = detector.model_info
    assert info.settings["lexicon_sha256"] == sha256_file(str(DEFAULT_LEXICON))
    assert info.settings["kinds"] == list(KINDS) and info.settings["lemmatiser"] == "voikko"
    assert info.sha256 and info.kind == "model"


@pytest.mark.parametrize("text", [
    "kinds:\n  gossip:\n    - all: [juoru]\n",
    "channels:\n  fax: [faksi]\nkinds:\n  access:\n    - all: [tietää]\n",
    "kinds:\n  access:\n    - all: []\n",
])
def test_bad_lexicon_is_refused(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidRightsLexicon):
        RightsDetector(bad)


def _rows(split: str) -> list[dict]:
    with (DATA / f"rights_{split}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_clean_lines_never_create_an_item(detector: RightsDetector) -> None:
    rows = _rows("clean")
    assert len(rows) >= 190
    false_items = [r["id"] for r in rows if detector.detect_text(r["text"])]
    assert false_items == []


@pytest.mark.parametrize("split", ["dev", "test"])
def test_tuned_splits_meet_the_targets(detector: RightsDetector, split: str) -> None:
    """precision >= 0.95 and recall >= 0.90 per kind (a marketing hit needs the right channel) on the splits
    the lexicon was tuned on; heldout is reported by bench/rights_quality.py, not pinned here."""
    rows = _rows(split)
    tp = dict.fromkeys(KINDS, 0)
    fp = dict.fromkeys(KINDS, 0)
    fn = dict.fromkeys(KINDS, 0)
    for row in rows:
        gold = {(lb["kind"], lb["channel"]) for lb in row["labels"]}
        got = {(h.kind, h.channel) for h in detector.detect_text(row["text"])}
        for kind, _ in got & gold:
            tp[kind] += 1
        for kind, _ in got - gold:
            fp[kind] += 1
        for kind, _ in gold - got:
            fn[kind] += 1
    for kind in KINDS:
        assert tp[kind] + fn[kind] >= 40, kind
        assert tp[kind] / (tp[kind] + fp[kind]) >= 0.95, kind
        assert tp[kind] / (tp[kind] + fn[kind]) >= 0.90, kind

