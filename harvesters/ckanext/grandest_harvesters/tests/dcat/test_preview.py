"""Previewing a DCAT source: its first datasets, mapped, nothing written."""

from __future__ import annotations

import json

from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckanext.harvest.model import HarvestObject

from ckanext.grandest_harvesters.peers import dcat as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer


def test_cli_previews_a_dcat_catalogue(cli, clean_db):
    datasets = fixture.generate_catalogue(12)
    with PeerServer(fixture.dcat_routes(datasets, path="/catalog.jsonld", syntax="json-ld",
                                        page_size=4)) as peer:
        base = peer.url
        result = cli.invoke(ckan_cli, [
            "grandest", "harvest-preview", f"{base}/catalog.jsonld", "--type",
            "grandest_dcat", "--limit", "6", "--config", json.dumps({"rdf_format": "jsonld"})])
        pages = [s.query_string for s in peer.seen]
    assert result.exit_code == 0, result.output
    assert pages == ["", "page=2"]                   # no more pages than the limit needs
    # The first six datasets: one without a title (an error), the others mapped.
    assert "5 datasets mapped, 1 errors." in result.output
    assert f"# {base}/datasets/ge-00002" in result.output
    assert '"_organisation": {' in result.output    # named, not created
    assert "warning: " in result.output              # the unknown licence of ge-00001
    datasets_written = model.Session.query(model.Package).filter(
        model.Package.type == "dataset").count()
    assert datasets_written == 0 and model.Session.query(HarvestObject).count() == 0
    assert model.Session.query(model.Group).count() == 0   # no organisation created
