"""Chart.js is served by CKAN's webassets from the file vendored at the pinned version."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[5]
VENDOR = ROOT / "ckanext-consultation/ckanext/consultation/assets/vendor/chartjs"


def _pinned_version() -> str:
    script = (ROOT / "scripts/vendor_chartjs.sh").read_text()
    return re.search(r"^VERSION=(\S+)$", script, re.MULTILINE).group(1)


def test_vendored_file_is_the_pinned_release_with_its_licence():
    version = _pinned_version()
    assert f"Chart.js v{version}" in (VENDOR / "chart.umd.min.js").read_text()[:200]
    assert "MIT License" in (VENDOR / "LICENSE.md").read_text()
    assert (VENDOR / "VERSION.txt").read_text().startswith(f"chart.js {version} ")


def test_detail_page_loads_chartjs_and_the_charts_module(app, consultations):
    page = BeautifulSoup(app.get(f"/consultations/{consultations['published']}").body,
                         "html.parser")
    sources = [s["src"] for s in page.select("script[src]") if "/consultation/" in s["src"]]
    assert any(src.endswith("_chart.js") for src in sources)
    assert any(src.endswith("_charts.js") for src in sources)
    bundles = {src: app.get(src).body for src in sources}
    assert any(f"Chart.js v{_pinned_version()}" in body for body in bundles.values())
    assert any('ckan.module("consultation-chart"' in body for body in bundles.values())
