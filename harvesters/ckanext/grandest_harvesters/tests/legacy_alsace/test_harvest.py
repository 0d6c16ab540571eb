"""Harvesting the legacy Open Data Alsace catalogue, served by a local OData peer."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerServer


def _has_unreadable_date(entry) -> bool:
    for value in (entry.get("createdOnDate"), entry.get("lastUpdateDate")):
        try:
            if value:
                dt.datetime.fromisoformat(value)
        except ValueError:
            return True
    return False


def _modified() -> dict[str, object]:
    return dict(model.Session.query(model.Package.name, model.Package.metadata_modified))


@pytest.fixture
def legacy_peer():
    """A 2,000-entry legacy catalogue, 500 entries a page (OData __next paging)."""
    entries = fixture.generate_catalogue(2000)
    with PeerServer(fixture.legacy_alsace_routes(entries, page_size=500)) as peer:
        peer.entries = entries
        yield peer


def test_first_harvest_then_unchanged_reharvest(legacy_peer, make_source, run_harvest):
    anomalies = fixture.anomalies(legacy_peer.entries)
    hidden, untitled = set(anomalies["not_public"]), set(anomalies["missing_title"])
    valid = len(legacy_peer.entries) - len(hidden) - len(untitled)
    source = make_source(legacy_peer.url, "legacy_alsace")

    first = run_harvest(source)
    assert first.job["status"] == "Finished"
    warned = {e["id"] for e in legacy_peer.entries
              if e["id"] not in hidden | untitled and _has_unreadable_date(e)}
    assert first.stats == {"added": valid, "errored": len(untitled) + len(warned)}
    for guid in untitled:
        assert first.errors(guid) == [
            f"L'entrée {guid} de l'ancienne plateforme n'a pas de titre : elle ne peut pas "
            "être publiée"
        ]
    assert not hidden & set(first.objects)            # non-PUBLIC entries never published
    for guid in warned:                                 # imported, with a warning
        (warning,) = first.errors(guid)
        assert "date illisible" in warning
        assert first.objects[guid].report_status == "added"
    assert call_action("package_search", rows=0)["count"] == valid
    # The legacy catalogue was read page by page.
    assert legacy_peer.count("/dataserver/CRAL/catalog/Source") == 4

    before = _modified()
    second = run_harvest(source)
    assert second.job["status"] == "Finished"
    # Untitled entries are retried (and fail again); the rest is not modified.
    assert second.stats == {"not modified": valid, "errored": len(untitled)}
    assert _modified() == before                        # not one dataset written


@pytest.fixture
def small_peer():
    entries = fixture.generate_catalogue(40, seed=7)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        peer.entries = entries
        yield peer


def _valid_ids(entries) -> list[str]:
    anomalies = fixture.anomalies(entries)
    bad = set(anomalies["not_public"]) | set(anomalies["missing_title"])
    return [e["id"] for e in entries if e["id"] not in bad]


def test_a_changed_entry_updates_only_its_dataset(small_peer, make_source, run_harvest):
    source = make_source(small_peer.url, "legacy_alsace")
    run_harvest(source)
    target = _valid_ids(small_peer.entries)[3]
    before = _modified()

    small_peer.replace_routes(fixture.legacy_alsace_routes(
        fixture.with_changed_entry(small_peer.entries, target)))
    second = run_harvest(source)

    assert second.stats["updated"] == 1
    assert second.objects[target].report_status == "updated"
    after = _modified()
    changed = {name for name in after if after[name] != before.get(name)}
    (dataset,) = call_action("package_search", fq=f'remote_id:"{target}"')["results"]
    assert changed == {dataset["name"]}


@pytest.mark.parametrize("policy", ["delete", "private"])
def test_a_removed_entry_is_withdrawn(small_peer, make_source, run_harvest, policy):
    source = make_source(small_peer.url, "legacy_alsace", {"withdraw": policy})
    first = run_harvest(source)
    target = _valid_ids(small_peer.entries)[0]
    package_id = first.objects[target].package_id

    small_peer.replace_routes(fixture.legacy_alsace_routes(
        fixture.without_entry(small_peer.entries, target)))
    second = run_harvest(source)
    assert second.stats["deleted"] == 1
    package = model.Package.get(package_id)
    if policy == "delete":
        assert package.state == "deleted"
    else:
        assert package.state == "active" and package.private

    # Back at the source: the same dataset comes back, not a duplicate.
    small_peer.replace_routes(fixture.legacy_alsace_routes(small_peer.entries))
    third = run_harvest(source)
    assert third.objects[target].package_id == package_id
    package = model.Package.get(package_id)
    assert package.state == "active" and not package.private
    assert model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset"
    ).count() == len(_valid_ids(small_peer.entries))


def test_a_listing_that_fails_midway_withdraws_nothing(small_peer, make_source, run_harvest):
    source = make_source(small_peer.url, "legacy_alsace")
    run_harvest(source)
    small_peer.set_fault("/dataserver/CRAL/catalog/Source", Fault.http_error(500))
    failed = run_harvest(source)
    assert failed.job["status"] == "Finished"
    assert "Erreur HTTP 500 du serveur" in failed.gather_errors[0]
    assert failed.stats.get("deleted", 0) == 0
    assert call_action("package_search", rows=0)["count"] == len(_valid_ids(small_peer.entries))
