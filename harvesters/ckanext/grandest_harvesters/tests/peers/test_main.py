"""``python -m ckanext.grandest_harvesters.peers``: the demo process."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import requests


def test_serves_every_peer_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ckanext.grandest_harvesters.peers", "--port", "0",
         "--legacy-entries", "120", "--ods-datasets", "30", "--csw-records", "12",
         "--ckan-datasets", "25"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", first_line)
        assert found, first_line
        base = found.group(0)
        index = requests.get(base + "/", timeout=10).json()
        legacy = requests.get(index["legacy_alsace"], timeout=10).json()
        assert len(legacy["d"]["results"]) == 120
        ods = requests.get(index["opendatasoft"] + "?limit=100", timeout=10).json()
        assert ods["total_count"] == 30
        ckan = requests.get(index["ckan"], params={"rows": 100}, timeout=10).json()
        assert ckan["result"]["count"] == len(ckan["result"]["results"]) == 25
        csw = requests.get(index["csw"], params={
            "service": "CSW", "request": "GetRecords", "maxRecords": 100,
            "outputSchema": "http://www.isotc211.org/2005/gmd"}, timeout=10)
        assert 'numberOfRecordsMatched="12"' in csw.text
        dcat = requests.get(index["dcat"], timeout=10)
        assert dcat.headers["content-type"].startswith("text/turtle")
        assert "<http://www.w3.org/ns/hydra/core#next>" in dcat.text
        assert all(requests.get(url, timeout=10).status_code == 200 for url in index["corpus"])
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Peers stopped." in out
