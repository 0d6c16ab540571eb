"""Previewing a partner CKAN portal: its first datasets mapped, nothing written."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories
from ckanext.harvest.model import HarvestObject

from ckanext.grandest_harvesters.peers.corpus import corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer


def _nothing_written(groups_before: int) -> bool:
    datasets = model.Session.query(model.Package).filter(model.Package.type == "dataset")
    return (datasets.count() == 0 and model.Session.query(HarvestObject).count() == 0
            and model.Session.query(model.Group).count() == groups_before)


@pytest.mark.usefixtures("clean_db")
def test_cli_prints_the_first_datasets(cli, portal):
    groups = model.Session.query(model.Group).count()
    result = cli.invoke(ckan_cli, ["grandest", "harvest-preview", portal.url,
                                   "--type", "grandest_ckan", "--limit", "4",
                                   "--config", json.dumps({"remote_orgs": "create"})])
    assert result.exit_code == 0, result.output
    first_ids = sorted(d["id"] for d in portal.datasets)[:4]
    assert [line[2:] for line in result.output.splitlines() if line.startswith("# ")] \
        == [i for i in first_ids if any(d["id"] == i and d["title"] for d in portal.datasets)]
    assert '"_organisation": {' in result.output      # shown, not created
    assert "datasets mapped" in result.output
    assert _nothing_written(groups)


@pytest.mark.usefixtures("clean_db")
def test_action_reports_what_a_selection_cannot_publish(app):
    sysadmin = factories.SysadminWithToken()
    with PeerServer(corpus_routes()) as peer:
        response = app.post("/api/3/action/grandest_harvest_preview", json={
            "url": f"{peer.url}/dkan-hautsdefrance", "type": "grandest_ckan",
            "config": {"datasets": ["04be6288-696d-4331-850d-a144871a7e3a"]}},
            headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 200, response.json
    with app.flask_app.test_request_context():     # the portal's language, as the API's
        expected = tk._("The dataset {name} is private or deleted at its source: it is not "
                        "published").format(
            name="antennes-regionales-de-la-region-hauts-de-france-au-01102019-0")
    assert response.json["result"] == {"datasets": [], "errors": [expected]}
