"""The register description: the packaged one is valid; broken references are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.privacy.register import RECORD_KINDS, RegisterError, load_register
from service.store.kinds import ArtefactKind

PACKAGED = Path(__file__).parents[2] / "service" / "privacy" / "register.yaml"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "register.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_packaged_register_maps_every_kind_and_identifier() -> None:
    r = load_register(PACKAGED)
    assert set(r.data_categories) == {"perustiedot", "asiakassuhdetiedot", "teletunnistetiedot",
                                      "puhelutallenteet", "analyysitiedot", "kasittelytiedot",
                                      "rekisteroidyn_pyynnot", "suoramarkkinointi"}
    assert set(r.data_categories["kasittelytiedot"].record_kinds) == RECORD_KINDS - {"marketing_choices"}
    marketing = r.data_categories["suoramarkkinointi"]  # the notice's "suoramarkkinointiluvat ja -kiellot"
    assert (marketing.record_kinds, marketing.sources) == (["marketing_choices"], ["rekisteroity"])
    assert r.category_for_artefact(ArtefactKind.RIGHTS_ITEMS) == "rekisteroidyn_pyynnot"
    assert r.category_for_entity("HETU") == "perustiedot"
    assert r.category_for_entity("IBAN") == "asiakassuhdetiedot"
    assert r.category_for_artefact("redacted_audio") == "puhelutallenteet"
    assert r.category_for_artefact(ArtefactKind.CLASSIFICATION) == "analyysitiedot"
    assert {"sopimus", "oikeutettu_etu", "lakisaateinen_velvoite"} <= set(r.legal_bases)
    assert {"rekisteroity", "puhelinjarjestelma", "tekoaly"} == set(r.sources)


def test_unmapped_entity_type_falls_back_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert load_register(PACKAGED).category_for_entity("LICENSE_PLATE") == "perustiedot"
    assert "LICENSE_PLATE" in caplog.text


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["purposes"]["laadunvarmistus"].update(legal_bases=["suostumus"]),
     "purposes.laadunvarmistus: unknown legal basis 'suostumus'"),
    (lambda d: d["data_categories"]["perustiedot"].update(purposes=["markkinointi"]),
     "data_categories.perustiedot: unknown purpose 'markkinointi'"),
    (lambda d: d["data_categories"]["perustiedot"]["entity_types"].append("IBAN"),
     "entity type 'IBAN' is in both"),
    (lambda d: d["data_categories"]["analyysitiedot"]["artefact_kinds"].remove("entities"),
     "artefact kinds without a data category: entities"),
    (lambda d: d["data_categories"]["analyysitiedot"]["artefact_kinds"].append("video"),
     "artefact_kinds"),
    (lambda d: d["data_categories"]["perustiedot"].update(default_retention="forever"),
     "not a duration"),
    (lambda d: d.update(unmapped_entity_category="muut"), "unknown category 'muut'"),
    (lambda d: d["data_categories"]["kasittelytiedot"]["record_kinds"].remove("audit_log"),
     "record kinds without a data category: audit_log"),
    (lambda d: d["data_categories"]["kasittelytiedot"]["record_kinds"].append("call_logs"),
     "unknown record kind 'call_logs'"),
    (lambda d: d["data_categories"]["suoramarkkinointi"].update(sources=["crm"]),
     "data_categories.suoramarkkinointi: unknown source 'crm'"),
    (lambda d: d.update(surprise=1), "surprise"),
])
def test_broken_references_name_the_key(tmp_path: Path, raw: dict, change, message: str) -> None:
    change(raw)
    with pytest.raises(RegisterError) as err:
        load_register(_write(tmp_path, raw))
    assert message in str(err.value)
