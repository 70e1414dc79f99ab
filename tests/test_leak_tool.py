"""The leak tests' split between what must hold on every CPU (verbatim identifiers) and what may not."""

import pytest

from tests.leak_tool import TOOL, heard_verbatim, load_tool

pytestmark = pytest.mark.skipif(not TOOL.exists(), reason="../shared/tools/audio_leak.py not present")


@pytest.mark.parametrize(("typ", "gold", "raw", "verbatim"), [
    ("PERSON", "Tiina Laine", "Olen Tiina Laine Salosta.", True),
    ("PERSON", "Tiina Laine", "Olin, di, ha, lain, es, ha, lu, start!", False),  # garbled: may differ by CPU
    ("PERSON", "Tiina Laine", "Orin, tiin haluaa", False),
    ("PHONE", "0407651234", "numeroni on nolla neljä nolla, seitsemän kuusi viisi, yksi kaksi kolme neljä", True),
    ("PHONE", "0407651234", "numeroni on 040 765 1234", True),
    ("PHONE", "0407651234", "numeroni on nolla neljä nolla, seitsemän kuusi, yksi kaksi kolme neljä", False),
    ("EMAIL", "pekka.nieminen@example.fi", "pekka piste nieminen ät example piste fi", True),
])
def test_heard_verbatim(typ, gold, raw, verbatim):
    assert heard_verbatim(load_tool(), typ, gold, raw) is verbatim
