"""Previewing a source: mapped records and errors, nothing written."""

from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories
from ckanext.harvest.model import HarvestObject

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def legacy_peer(clean_db):
    entries = fixture.generate_catalogue(100, seed=1)      # untitled entries among the first
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        yield peer


def _no_dataset_written() -> bool:
    datasets = model.Session.query(model.Package).filter(model.Package.type == "dataset")
    return datasets.count() == 0 and model.Session.query(HarvestObject).count() == 0


def test_action_maps_the_first_records_without_writing(app, legacy_peer):
    sysadmin = factories.SysadminWithToken()
    before_groups = model.Session.query(model.Group).count()
    response = app.post("/api/3/action/grandest_harvest_preview",
                        json={"url": legacy_peer.url, "type": "legacy_alsace", "limit": 40},
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 200, response.json
    result = response.json["result"]
    assert len(result["datasets"]) + len(result["errors"]) == 40
    first = result["datasets"][0]["dataset"]
    assert first["territorial_coverage"] == ["departement:67", "departement:68"]
    assert first["_organisation"]["name"] in {"region-alsace-archives", "cigal"}
    assert any("n'a pas de titre" in error for error in result["errors"])
    assert model.Session.query(model.Group).count() == before_groups
    assert _no_dataset_written()


def test_only_sysadmins_preview(app, legacy_peer):
    user = factories.UserWithToken()
    response = app.post("/api/3/action/grandest_harvest_preview",
                        json={"url": legacy_peer.url, "type": "legacy_alsace"},
                        headers={"Authorization": user["token"]})
    assert response.status_code == 403


def test_cli_prints_datasets_and_errors(cli, legacy_peer):
    result = cli.invoke(ckan_cli, ["grandest", "harvest-preview", legacy_peer.url,
                                   "--type", "legacy_alsace", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("# cral-") == 3
    assert "3 datasets mapped, 0 errors." in result.output
    assert _no_dataset_written()


def test_an_unreachable_source_is_a_readable_error(cli, clean_db):
    result = cli.invoke(ckan_cli, ["grandest", "harvest-preview", "http://10.0.0.1/",
                                   "--type", "legacy_alsace", "--config", json.dumps({})])
    assert result.exit_code == 0, result.output
    assert "Adresse refusée : 10.0.0.1 désigne une adresse interne" in result.output
