"""The legacy harvester runs through the real Redis queues and consumer processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from ckanext.harvest.queue import purge_queues

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

CKAN = [str(Path(sys.executable).with_name("ckan")), "-c", tk.config["__file__"]]


@pytest.fixture
def consumers():
    purge_queues()
    processes = [subprocess.Popen([*CKAN, "harvester", f"{stage}-consumer"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for stage in ("gather", "fetch")]
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def test_job_goes_through_gather_and_fetch_consumers(make_source, consumers):
    entries = fixture.generate_catalogue(60, seed=11)
    anomalies = fixture.anomalies(entries)
    expected = len(entries) - len(anomalies["not_public"]) - len(anomalies["missing_title"])
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        source = make_source(peer.url, "legacy_alsace")
        job = call_action("harvest_job_create", {"ignore_auth": True, "user": ""},
                          source_id=source["id"], run=True)   # onto the gather queue
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            # What the scheduler (`ckan harvester run`) does every minute.
            call_action("harvest_jobs_run", {"ignore_auth": True, "user": ""},
                        source_id=source["id"])
            status = call_action("harvest_job_show", {"ignore_auth": True}, id=job["id"])
            if status["status"] == "Finished":
                break
            assert all(p.poll() is None for p in consumers), consumers[0].stderr.read()
            time.sleep(1)
        assert status["status"] == "Finished"
        assert status["stats"]["added"] == expected
        assert peer.count("/dataserver/CRAL/catalog/Source") == 1
    assert call_action("package_search", rows=0)["count"] == expected
