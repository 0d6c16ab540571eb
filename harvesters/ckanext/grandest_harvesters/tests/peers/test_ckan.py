"""The generated partner CKAN portal (action API)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ckanext.grandest_harvesters.peers.ckan import (
    API_PREFIX,
    ckan_routes,
    generate_catalogue,
    on_site,
    with_changed_dataset,
    with_deleted_dataset,
    with_new_views,
    with_private_dataset,
    without_dataset,
)
from ckanext.grandest_harvesters.peers.corpus import default_corpus_dir
from ckanext.grandest_harvesters.peers.server import PeerServer

SEARCH = f"{API_PREFIX}/package_search"
SHOW = f"{API_PREFIX}/package_show"
KEY = "cle-du-partenaire"


@pytest.fixture(scope="module")
def datasets() -> list[dict[str, Any]]:
    return generate_catalogue(250)


@pytest.fixture
def portal(datasets: list[dict[str, Any]]) -> Iterator[tuple[PeerServer, list[dict[str, Any]]]]:
    live = list(datasets)
    with PeerServer(ckan_routes(live, api_key=KEY)) as server:
        yield server, live


def _get(server: PeerServer, path: str, **params: Any) -> requests.Response:
    headers = params.pop("headers", {})
    return requests.get(server.url_for(path), params=params, headers=headers, timeout=10)


def test_deterministic_and_unique(datasets: list[dict[str, Any]]) -> None:
    assert json.dumps(generate_catalogue(60, seed=3)) == json.dumps(generate_catalogue(60, 3))
    assert json.dumps(generate_catalogue(60, seed=3)) != json.dumps(generate_catalogue(60, 4))
    assert len({d["id"] for d in datasets}) == len({d["name"] for d in datasets}) == 250


def test_shape_matches_the_corpus_package_show(datasets: list[dict[str, Any]]) -> None:
    example = json.loads((default_corpus_dir() / "ckan" / "demo-ckan-package_show.json")
                         .read_text())["result"]
    assert {"id", "name", "title", "notes", "license_id", "extras", "resources", "tags",
            "groups", "metadata_created", "metadata_modified", "private", "state"} \
        <= set(example) & set(datasets[0])
    for dataset in datasets:
        assert all(set(e) == {"key", "value"} for e in dataset["extras"])
        assert all({"id", "url", "format", "name"} <= set(r) for r in dataset["resources"])
    # The variety the harvester must cope with is there.
    extras = {e["key"] for d in datasets for e in d["extras"]}
    assert {"frequency", "theme", "spatial", "spatial_uri", "identifier", "source",
            "harvest_object_id", "name"} <= extras
    assert any(not d["title"] for d in datasets)
    assert any("<p>" in d["notes"] for d in datasets)


def test_search_pages_sorted_by_id(portal) -> None:
    server, datasets = portal
    seen = []
    for start in (0, 100, 200):
        answer = _get(server, SEARCH, rows=100, start=start, sort="id asc").json()
        assert answer["success"] is True
        assert answer["result"]["count"] == 250
        seen += [d["id"] for d in answer["result"]["results"]]
    assert seen == sorted(d["id"] for d in datasets)
    # CKAN cuts rows down to its maximum rather than refusing them.
    assert len(_get(server, SEARCH, rows=5000).json()["result"]["results"]) == 250
    assert _get(server, SEARCH, rows="x").status_code == 409


def test_fq_as_the_stock_harvester_builds_it(portal) -> None:
    server, datasets = portal
    fq = "organization:ville-de-metz OR organization:ville-de-reims -groups:citoyennete"
    found = _get(server, SEARCH, fq=fq, rows=1000).json()["result"]["results"]
    expected = [d["id"] for d in datasets
                if d["organization"]["name"] in ("ville-de-metz", "ville-de-reims")
                and "citoyennete" not in {g["name"] for g in d["groups"]}]
    assert sorted(d["id"] for d in found) == sorted(expected) and expected
    refused = _get(server, SEARCH, fq="dataset_kind:x")
    assert refused.status_code == 409
    assert refused.json()["error"]["__type"] == "Search Query Error"


def test_private_and_deleted_datasets_are_hidden_from_anonymous_clients(portal) -> None:
    server, datasets = portal
    private, deleted = datasets[3]["name"], datasets[4]["name"]
    datasets[:] = with_deleted_dataset(with_private_dataset(datasets, private), deleted)
    listed = _get(server, SEARCH, rows=1000).json()["result"]
    assert listed["count"] == 248
    assert _get(server, SHOW, id=private).status_code == 403
    assert _get(server, SHOW, id=deleted).status_code == 403
    assert private not in _get(server, f"{API_PREFIX}/package_list").json()["result"]
    # With the portal's API key, the private dataset is shown, and listed on request.
    auth = {"Authorization": KEY}
    shown = _get(server, SHOW, id=private, headers=auth).json()["result"]
    assert shown["private"] is True
    with_private = _get(server, SEARCH, rows=1000, include_private="true", headers=auth)
    assert with_private.json()["result"]["count"] == 249
    assert _get(server, SHOW, id="inconnu").json()["error"]["__type"] == "Not Found Error"


def test_a_portal_that_lists_everything_and_the_dkan_flavour(datasets) -> None:
    live = with_private_dataset(datasets[:5], datasets[0]["name"])
    with PeerServer(ckan_routes(live, lists_hidden=True, flavour="dkan")) as server:
        assert _get(server, SEARCH).status_code == 404      # DKAN has no package_search
        assert len(_get(server, f"{API_PREFIX}/package_list").json()["result"]) == 5
        result = _get(server, SHOW, id=datasets[0]["id"]).json()["result"]
        assert isinstance(result, list) and result[0]["private"] is True


def test_changes_between_two_harvests(datasets) -> None:
    name = datasets[7]["name"]
    assert len(without_dataset(datasets, name)) == len(datasets) - 1
    changed = with_changed_dataset(datasets, name, title="Nouveau titre")
    assert changed[7]["title"] == "Nouveau titre"
    assert changed[7]["metadata_modified"] > datasets[7]["metadata_modified"]
    viewed = with_new_views(datasets)
    assert [d["tracking_summary"] for d in viewed] != [d["tracking_summary"] for d in datasets]
    assert [d["metadata_modified"] for d in viewed] == [d["metadata_modified"] for d in datasets]


def test_resource_urls_point_to_the_portal(portal) -> None:
    server, datasets = portal
    dataset = next(d for d in datasets
                   if any("/download/" in r["url"] and r["mimetype"] == "text/csv"
                          for r in d["resources"]))
    shown = _get(server, SHOW, id=dataset["name"]).json()["result"]
    resource = next(r for r in shown["resources"] if "/download/" in r["url"]
                    and r["mimetype"] == "text/csv")
    stored = next(r for r in dataset["resources"] if r["id"] == resource["id"])
    assert resource["url"] == on_site(stored["url"], server.url)
    download = requests.get(resource["url"], timeout=10)
    assert download.status_code == 200 and dataset["name"] in download.text
    page = requests.get(f"{server.url}/dataset/{dataset['name']}", timeout=10)
    assert page.status_code == 200 and "<h1>" in page.text
