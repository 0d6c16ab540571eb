"""Every user-facing string of our plugins is translated in French and German."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = [ROOT / "ckanext-grandest/ckanext/grandest",
           ROOT / "harvesters/ckanext/grandest_harvesters",
           ROOT / "ckanext-consultation/ckanext/consultation"]
# Calls whose first argument is a message id (scripts/i18n.sh extracts the same ones).
CALL = re.compile(r"""\b(?:_|_msg)\(\s*((?:"[^"]*"\s*)+|'[^']*')""")


def _template(plugin: Path) -> set[str]:
    (pot,) = (plugin / "i18n").glob("*.pot")
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["fr", "de"])
def test_catalogue_is_complete_and_compiled(plugin, lang):
    template = _template(plugin)
    (po,) = (plugin / "i18n" / lang / "LC_MESSAGES").glob("*.po")
    with po.open("rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id}
    with po.with_suffix(".mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert template <= {k for k, v in translated.items() if v}
    assert compiled == {k: v for k, v in translated.items() if k in template}


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_sources_use_only_extracted_strings(plugin):
    used = set()
    for path in [*plugin.rglob("*.py"), *plugin.rglob("*.html")]:
        if "tests" in path.parts or "peers" in path.parts:
            continue
        for literal in CALL.findall(path.read_text()):
            used.add(ast.literal_eval(f"({literal.strip()})"))
    assert used <= _template(plugin), "run scripts/i18n.sh"
