"""One rendering per harvested dataset, search documents sent in batches (indexing.py).

The end state must be CKAN's own: the activity holds package_show's output, the Solr
document is the one CKAN's indexing builds, and a finished job's datasets are searchable.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.lib import search
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestObject

from ckanext.grandest_harvesters import indexing, jobs
from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

# Fields Solr sets itself, or that say when the document was sent.
_SOLR_OWN = {"_version_", "indexed_ts"}


@pytest.fixture
def empty_queue():
    connect_to_redis().delete(*indexing._keys())
    yield
    connect_to_redis().delete(*indexing._keys())


@pytest.fixture
def peer():
    entries = fixture.generate_catalogue(16, seed=11)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as server:
        server.entries = entries
        yield server


@pytest.fixture
def source(peer, make_source, empty_queue, with_request_context):
    return make_source(peer.url, "legacy_alsace")


def _valid(entries: list[dict[str, Any]]) -> list[str]:
    skipped = fixture.anomalies(entries)
    return [e["id"] for e in entries
            if e["id"] not in set(skipped["not_public"]) | set(skipped["missing_title"])]


def _import_without_finishing(source_id: str) -> str:
    """Gather, fetch and import every object of a new job, as the consumers do; the job
    is left running (nothing calls harvest_jobs_run)."""
    job = jobs.start_job(source_id)
    jobs.gather_and_import(job)
    return job.id


def _finish(source_id: str, job_id: str) -> str:
    tk.get_action("harvest_jobs_run")({"ignore_auth": True, "user": ""},
                                      {"source_id": source_id})
    return tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job_id})["status"]


def _searchable() -> int:
    search.commit()      # what is sent is visible, whatever Solr's soft commit delay
    return call_action("package_search", rows=0)["count"]


def _package_ids() -> list[str]:
    return [i for (i,) in model.Session.query(model.Package.id)
            .filter(model.Package.type == "dataset")]


def _queued() -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in connect_to_redis().lrange(indexing._keys()[0], 0, -1)]


def _solr_document(package_id: str) -> dict[str, Any]:
    document = {k: v for k, v in search.show(package_id).items() if k not in _SOLR_OWN}
    for key in ("data_dict", "validated_data_dict"):
        document[key] = json.loads(document[key])
        # Extras come in the order of the session that rendered the dataset (the one
        # that saved it, for CKAN's package_create too): their order means nothing.
        document[key]["extras"] = sorted(document[key].get("extras", []),
                                         key=lambda extra: extra["key"])
    return document


def test_activity_holds_what_package_show_gives(peer, source, run_harvest):
    run = run_harvest(source)
    assert run.stats["added"] == len(_valid(peer.entries))
    for package_id in _package_ids():
        (activity,) = call_action("package_activity_list", id=package_id,
                                  include_hidden_activity=True)
        assert activity["activity_type"] == "new package"
        shown = call_action("package_show", context={"use_cache": False}, id=package_id)
        assert activity["data"]["package"] == shown


def test_update_is_recorded_as_an_activity(peer, source, run_harvest):
    run_harvest(source)
    changed = _valid(peer.entries)[0]
    peer.entries[:] = fixture.with_changed_entry(peer.entries, changed)
    run = run_harvest(source)
    assert (run.stats["updated"], run.stats["not modified"]) == (1, len(_valid(peer.entries)) - 1)
    package_id = run.objects[changed].package_id
    latest, created = call_action("package_activity_list", id=package_id,
                                  include_hidden_activity=True)
    assert (latest["activity_type"], created["activity_type"]) == (
        "changed package", "new package")
    shown = call_action("package_show", context={"use_cache": False}, id=package_id)
    assert shown["title"].endswith("(mise à jour)")
    assert latest["data"]["package"] == shown
    assert search.show(package_id)["title"] == shown["title"]


def test_search_document_is_the_one_ckan_builds(peer, source, run_harvest):
    run_harvest(source)
    package_ids = _package_ids()
    batched = {package_id: _solr_document(package_id) for package_id in package_ids}
    for package_id in package_ids:
        search.rebuild(package_id)        # CKAN's own indexing of the dataset
        assert _solr_document(package_id) == batched[package_id]
    # The harvest object's link reached the document (ckanext-harvest's index hook).
    for document in batched.values():
        assert "harvest_object_id" in {e["key"] for e in document["validated_data_dict"]["extras"]}


@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_batch_size", "5")
@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_max_delay", "3600")
def test_batches_then_everything_before_the_job_finishes(peer, source, ckan_config):
    valid = len(_valid(peer.entries))
    job_id = _import_without_finishing(source["id"])
    # Full batches were sent as they filled; the rest waits, each document ready to send
    # as it is (built from the rendering of the dataset as committed).
    assert indexing.pending() == valid % 5
    modified = dict(model.Session.query(model.Package.id, model.Package.metadata_modified))
    for entry in _queued():
        assert entry["doc"]["id"] == entry["id"]
        assert entry["modified"] == modified[entry["id"]].isoformat()
    assert _searchable() == valid - valid % 5
    assert _finish(source["id"], job_id) == "Finished"
    assert indexing.pending() == 0
    assert call_action("package_search", rows=0)["count"] == valid


@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_max_delay", "0")
def test_a_document_waits_no_longer_than_the_delay(peer, source, ckan_config):
    _import_without_finishing(source["id"])
    assert indexing.pending() == 0
    assert _searchable() == len(_valid(peer.entries))


@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_max_delay", "3600")
def test_a_queued_document_never_hides_a_later_change(peer, source, ckan_config):
    _import_without_finishing(source["id"])
    modified = dict(model.Session.query(model.Package.id, model.Package.metadata_modified))
    assert {e["id"]: e["modified"] for e in _queued()} == {
        package_id: value.isoformat() for package_id, value in modified.items()
        if package_id in set(_package_ids())}
    package_id = _package_ids()[0]
    # Edited by hand while its harvested document waits: CKAN indexes the edit at once.
    call_action("package_patch", {"user": factories.Sysadmin()["name"]}, id=package_id,
                title="Titre corrigé à la main")
    assert indexing.flush() == len(_valid(peer.entries))
    search.commit()
    assert search.show(package_id)["title"] == "Titre corrigé à la main"


@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_max_delay", "3600")
def test_a_document_of_a_dataset_never_committed_is_dropped(source, ckan_config):
    indexing.queue_document("aucun-jeu-de-donnees", None)
    assert indexing.flush() == 0
    assert indexing.pending() == 0


@pytest.mark.ckan_config("ckanext.grandest_harvesters.index_max_delay", "3600")
def test_a_document_solr_refuses_is_reported_on_its_object(peer, source, ckan_config):
    job_id = _import_without_finishing(source["id"])
    entries = _queued()
    refused = entries[0]
    refused["doc"]["metadata_created"] = "pas une date"
    connect_to_redis().lset(indexing._keys()[0], 0, json.dumps(refused))

    assert indexing.flush() == len(entries) - 1
    assert indexing.pending() == 0
    (error,) = HarvestObject.get(refused["object"]).errors
    assert "pas une date" in error.message
    assert _finish(source["id"], job_id) == "Finished"
    assert call_action("package_search", rows=0)["count"] == len(entries) - 1
