"""The real CKAN payloads of ../shared/corpus/ckan, served where their portals served
them: each file is harvested, or rejected with a clear reason — one test per file."""

from __future__ import annotations

import json

import pytest
import requests
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.ckan import call_action as call_ckan_action
from ckanext.grandest_harvesters.fetching import FetchError
from ckanext.grandest_harvesters.peers.corpus import corpus_files, corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer

DATASUD = "/datasud/fr/indexer/service/ckan"
SNAPSHOT = "/snapshots/ckan/datasud-harvest.udata-snapshot.json"
TESTED = {
    "ckan/datasud-harvest.udata-snapshot.json",
    "ckan/datasud-package_search-org-cagtd.json",
    "ckan/datasud-package_show-canispaces-ville-de-gap.json",
    "ckan/datasud-package_show-parkings-ville-de-gap.json",
    "ckan/demo-ckan-package_show.json",
    "ckan/dkan-hautsdefrance-package_show.json",
}


@pytest.fixture
def corpus_peer():
    with PeerServer(corpus_routes()) as peer:
        yield peer


def _shown(run, guid: str) -> dict:
    return call_action("package_show", id=run.objects[guid].package_id)


def test_every_ckan_file_of_the_corpus_has_its_test():
    assert {f for f in corpus_files() if f.startswith("ckan/")} == TESTED


def test_datasud_package_search_org_cagtd(corpus_peer, make_source, run_harvest):
    """ckan/datasud-package_search-org-cagtd.json: DataSud's CKAN-compatible API, the 7
    datasets of the Gap-Tallard-Durance agglomeration, each remote organisation becoming
    the publisher."""
    portal = corpus_peer.url + DATASUD
    source = make_source(portal, "grandest_ckan", {"remote_orgs": "create"})
    run = run_harvest(source)

    assert run.job["status"] == "Finished"
    assert run.stats == {"added": 7}
    assert run.gather_errors == []
    dataset = _shown(run, "cfa98601-185f-4194-bc0f-119fc23a194b")
    assert dataset["title"] == "Canispaces - Ville de Gap"
    assert dataset["notes"].startswith("Lieux réservés aux déjections canines")
    assert dataset["license_id"] == "lov2"
    assert dataset["theme"] == ["ENVI", "REGI"]          # from DataSud's groups
    assert dataset["territorial_coverage"] == []         # Gap is not in Grand Est
    assert [t["name"] for t in dataset["tags"]] == ["canispace", "chien"]
    assert dataset["contact"] == [{"name": "Ville de Gap", "email": "voirie@ville-gap.fr"}]
    assert dataset["issued"].startswith("2025-07-16")
    assert dataset["remote_url"] == f"{portal}/dataset/canispaces----ville-de-gap"
    assert dataset["url"] == ("https://www.datasud.fr/explorer/fr/jeux-de-donnees/"
                              "canispaces----ville-de-gap")
    assert [(r["format"], r["name"]) for r in dataset["resources"]] == [
        ("SHP", "canispace_05061"),
        ("WMS", "communaute-dagglomeration-de-gap-tallard-durance:canispace_05061"),
        ("WFS", "communaute-dagglomeration-de-gap-tallard-durance:canispace_05061")]
    organisation = model.Group.get(dataset["owner_org"])
    assert organisation.name == "communaute-dagglomeration-de-gap-tallard-durance"
    assert organisation.title == "Communauté d'Agglomération de Gap-Tallard-Durance"
    assert call_action("organization_show", id=organisation.id)["body_type"] == "epci"
    assert {_shown(run, guid)["owner_org"] for guid in run.objects} == {organisation.id}
    assert run_harvest(source).stats == {"not modified": 7}


def _selected(corpus_peer, make_source, run_harvest, site: str, names: list[str], *,
              source_name: str = "source"):
    config = {"datasets": names}
    return run_harvest(make_source(corpus_peer.url + site, "grandest_ckan", config,
                                   name=source_name))


def test_datasud_package_show_canispaces_ville_de_gap(corpus_peer, make_source, run_harvest):
    """ckan/datasud-package_show-canispaces-ville-de-gap.json: one DataSud dataset read
    with package_show (a source restricted to chosen datasets)."""
    run = _selected(corpus_peer, make_source, run_harvest, DATASUD,
                    ["canispaces----ville-de-gap"])
    assert run.stats == {"added": 1}
    dataset = _shown(run, "cfa98601-185f-4194-bc0f-119fc23a194b")
    assert dataset["title"] == "Canispaces - Ville de Gap"
    assert dataset["theme"] == ["ENVI", "REGI"]
    assert dataset["organization"]["name"] == "region-grand-est"     # the source's


def test_datasud_package_show_parkings_ville_de_gap(corpus_peer, make_source, run_harvest):
    """ckan/datasud-package_show-parkings-ville-de-gap.json."""
    run = _selected(corpus_peer, make_source, run_harvest, DATASUD, ["parkings-ville-de-gap"])
    assert run.stats == {"added": 1}
    dataset = _shown(run, "fe7cdceb-f65e-4e79-9ff2-d7895dc3b155")
    assert dataset["title"] == "Parcs de stationnement de la Ville de Gap"
    assert dataset["theme"] == ["TRAN"]
    assert [t["name"] for t in dataset["tags"]] == ["aire-de-stationnement", "parking",
                                                    "stationner"]


def test_datasud_harvest_udata_snapshot(corpus_peer, make_source, run_harvest, message):
    """ckan/datasud-harvest.udata-snapshot.json is udata's recording of a harvest, not a
    CKAN API answer: given as a source, there is no action API below it, and read as an
    action's answer it is refused. The package_show answers it recorded, served where
    DataSud served them, are harvested."""
    url = corpus_peer.url + SNAPSHOT
    rejected = run_harvest(make_source(url, "grandest_ckan"))
    assert rejected.job["status"] == "Finished"
    assert rejected.stats == {"errored": 1} and rejected.objects == {}
    (error,) = rejected.gather_errors
    assert message("HTTP error {status} for {url}", status=404,
                   url=f"{url}/api/3/action/package_search?rows=100&start=0&sort=id+asc") \
        in error
    with pytest.raises(FetchError) as not_an_answer:
        call_ckan_action(url, requests.Session())
    assert str(not_an_answer.value) == message(
        "Unexpected answer from {url}: this is not a CKAN action API", url=url)

    recorded = json.loads(requests.get(url, timeout=10).text)["requests_history"]
    names = [r["request"]["url"].rsplit("id=", 1)[1] for r in recorded[2:6]]
    names.append(recorded[7]["request"]["url"].rsplit("id=", 1)[1])
    replayed = _selected(corpus_peer, make_source, run_harvest, DATASUD, names,
                         source_name="datasud")
    assert replayed.stats == {"added": 5}
    titles = sorted(_shown(replayed, guid)["title"] for guid in replayed.objects)
    assert titles == sorted(json.loads(recorded[i]["response"]["body"])["result"]["title"]
                            for i in (2, 3, 4, 5, 7))


def test_demo_ckan_package_show(corpus_peer, make_source, run_harvest):
    """ckan/demo-ckan-package_show.json: CKAN 2.x (demo.ckan.org) — a GeoJSON ``spatial``
    extra becomes the bounding box, ``spatial-text`` is kept as a free extra."""
    run = _selected(corpus_peer, make_source, run_harvest, "/demo-ckan", ["dataset-1"])
    assert run.stats == {"added": 1}
    dataset = _shown(run, "7e4d4ef3-f452-4c35-963d-9c6e582374b3")
    assert dataset["title"] == "Dataset 1" and dataset["notes"] == "Description 1"
    assert dataset["bbox"] == "-0.3715,50.8168,-0.2155,50.8747"
    assert dataset["license_id"] == "notspecified"
    assert dataset["contact"] == [{"name": "Lucy Chambers"}]
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["spatial-text"] == ("Adur, West Sussex, South East England, England, "
                                      "United Kingdom")
    assert "spatial" not in extras
    assert [r["format"] for r in dataset["resources"]] == ["CSV", "JSON", "CSV"]
    assert run.errors("7e4d4ef3-f452-4c35-963d-9c6e582374b3") == []


def test_dkan_hautsdefrance_package_show(corpus_peer, make_source, run_harvest, message):
    """ckan/dkan-hautsdefrance-package_show.json: DKAN's package_show (its result is a
    list) of a dataset published ``private: true``: not published, and the job says why.
    (Its mapping, were it public, is tested in test_mapping.py.)"""
    run = _selected(corpus_peer, make_source, run_harvest, "/dkan-hautsdefrance",
                    ["04be6288-696d-4331-850d-a144871a7e3a"])
    assert run.job["status"] == "Finished"
    assert run.objects == {}
    assert run.gather_errors == [message(
        "The dataset {name} is private or deleted at its source: it is not published",
        name="antennes-regionales-de-la-region-hauts-de-france-au-01102019-0")]
