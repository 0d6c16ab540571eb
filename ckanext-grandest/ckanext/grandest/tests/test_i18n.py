"""Every user-facing string of the plugin is translated in French and German."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

I18N = Path(__file__).resolve().parents[1] / "i18n"


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_catalogue_is_complete_and_compiled(lang):
    with (I18N / "ckanext-grandest.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    messages = I18N / lang / "LC_MESSAGES"
    with (messages / "ckanext-grandest.po").open("rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id}
    with (messages / "ckanext-grandest.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert template <= {k for k, v in translated.items() if v}
    assert compiled == {k: v for k, v in translated.items() if k in template}


def test_sources_use_only_extracted_strings():
    root = I18N.parent
    with (I18N / "ckanext-grandest.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    used = set()
    for path in [*root.rglob("*.py"), *root.rglob("*.html")]:
        if "tests" in path.parts:
            continue
        used |= set(re.findall(r"""\b_\(\s*["']([^"']+)["']""", path.read_text()))
    assert used <= template, "run scripts/i18n.sh"
