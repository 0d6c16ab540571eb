"""Previewing a CSW source: its first records mapped, nothing written."""

from __future__ import annotations

import json

from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckanext.harvest.model import HarvestObject

from ckanext.grandest import demo
from ckanext.grandest_harvesters.peers import __main__ as peers_main
from ckanext.grandest_harvesters.peers import csw as fixture
from ckanext.grandest_harvesters.peers.corpus import CORPUS_ROUTES, corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer, mount
from ckanext.grandest_harvesters.preview import preview


def _nothing_written() -> bool:
    datasets = model.Session.query(model.Package).filter(model.Package.type == "dataset")
    return datasets.count() == 0 and model.Session.query(HarvestObject).count() == 0


def test_cli_previews_a_csw_catalogue(cli, clean_db, generated):
    result = cli.invoke(ckan_cli, ["grandest", "harvest-preview", generated.csw_url,
                                   "--type", "grandest_csw", "--limit", "3",
                                   "--config", json.dumps({"page_size": 2})])
    assert result.exit_code == 0, result.output
    first = [r for r in generated.records if r["hierarchy"] != "service"][:3]
    for record in first:
        assert f"# {record['identifier']}" in result.output
        assert json.dumps(record["title"], ensure_ascii=False) in result.output
    assert "3 datasets mapped, 0 errors." in result.output
    # Three records from pages of two: two pages asked, not the whole catalogue.
    assert generated.count("/geonetwork/srv/fre/csw") == 2
    assert _nothing_written()


def test_cli_says_why_a_catalogue_is_refused(cli, clean_db):
    route = next(r for r in CORPUS_ROUTES if r.file.startswith("csw/geo2france"))
    with PeerServer(corpus_routes()) as peer:
        result = cli.invoke(ckan_cli, ["grandest", "harvest-preview",
                                       peer.url_for(route.full_path), "--type", "grandest_csw"])
    assert result.exit_code == 0, result.output
    assert "GeoDCAT-AP (RDF/XML)" in result.output
    assert "0 datasets mapped, 1 errors." in result.output
    assert _nothing_written()


def test_the_demo_source_reads_the_demo_peer(clean_db, with_request_context):
    """The demo's CSW source, on the catalogue that the demo's peers process serves."""
    (declared,) = [s for s in demo.load_content()["harvest_sources"]
                   if s["source_type"] == "grandest_csw"]
    routes = mount(peers_main.CSW_PREFIX, fixture.csw_routes(fixture.generate_catalogue(48)))
    with PeerServer(routes) as peer:
        result = preview("grandest_csw", declared["url"].format(peers_url=peer.url), limit=5)
    assert result["errors"] == []
    assert len(result["datasets"]) == 5
