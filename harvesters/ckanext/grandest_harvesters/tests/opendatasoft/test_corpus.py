"""The real Opendatasoft payloads of ../shared/corpus/opendatasoft, served as their portals
served them: each catalogue listing is harvested, or rejected with a clear reason."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers.corpus import corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def corpus_peer():
    with PeerServer(corpus_routes()) as peer:
        yield peer


def test_v2_1_doc_example_catalog_datasets(corpus_peer, make_source, run_harvest):
    """opendatasoft/v2.1-doc-example-catalog-datasets.json: the documentation's listing,
    recorded with limit=2: 2 datasets of the 19 it announces."""
    portal = f"{corpus_peer.url}/ods-doc"
    run = run_harvest(make_source(portal, "opendatasoft"))

    assert run.job["status"] == "Finished"
    # errored: one dataset imported with a warning, and the gather error
    assert run.stats == {"added": 2, "errored": 2}
    # The listing stops short of its total_count: what is missing is said, and nothing
    # would be withdrawn on the strength of it.
    assert run.gather_errors == [
        "La source n'a pas pu être lue entièrement (Le catalogue annonçait 19 jeux de "
        "données mais n'en a listé que 2) ; les jeux de données qui y manquent sont "
        "conservés jusqu'à un moissonnage complet"
    ]
    world = call_action("package_show", id=run.objects["da_6kvv9v"].package_id)
    assert world["title"] == "World Administrative Boundaries - Countries and Territories"
    assert world["notes"].startswith("This dataset displays level 0 world administrative")
    assert world["theme"] == ["GOVE"]           # the English theme label
    assert world["language"] == "en"
    assert world["territorial_coverage"] == []  # "World" is not a territory of Grand Est
    assert world["license_id"] == "notspecified"
    assert run.errors("da_6kvv9v") == [
        "Enregistrement da_6kvv9v importé avec des avertissements : licence « Open "
        "Government Licence v3.0 » inconnue, "
        "enregistrée comme non précisée"
    ]
    assert world["modified"] == "2021-06-23" and not world.get("issued")
    assert world["contact"] == [{"name": "World Food Programme (UN agency)"}]
    assert [r["format"] for r in world["resources"]] == ["CSV", "JSON", "GeoJSON", "SHP"]

    cities = call_action("package_show", id=run.objects["da_5m8ykr"].package_id)
    assert cities["identifier"] == "geonames-all-cities-with-a-population-1000"
    assert cities["notes"] == cities["title"]   # no description
    assert cities["license_id"] == "notspecified"   # no licence given: no warning
    assert run.errors("da_5m8ykr") == []
    assert cities["resources"][-1] == {**cities["resources"][-1],
        "name": "cities1000.zip", "format": "ZIP", "mimetype": "application/zip",
        "url": f"{portal}/api/explore/v2.1/catalog/datasets/"
               "geonames-all-cities-with-a-population-1000/attachments/cities1000_zip"}


@pytest.mark.parametrize(("site", "listing"), [
    ("/ods-v2", "opendatasoft/v2.0-doc-example-catalog-datasets.json"),
    ("/ods-etalab-sandbox", "opendatasoft/v1.0-etalab-sandbox-search.json"),
])
def test_older_api_versions_are_rejected(corpus_peer, make_source, run_harvest, site, listing):
    """The v2.0 and v1.0 listings are not Explore v2.1: the portal answers 404 where the
    harvester looks for the v2.1 catalogue, and the job says so."""
    run = run_harvest(make_source(corpus_peer.url + site, "opendatasoft"))
    assert run.job["status"] == "Finished"
    assert run.stats == {"errored": 1}     # the gather error, nothing imported
    (error,) = run.gather_errors
    assert (f"Erreur HTTP 404 pour {corpus_peer.url}{site}/api/explore/v2.1/catalog/datasets"
            in error)
