"""The generated Opendatasoft Explore v2.1 portal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests

from ckanext.grandest_harvesters.peers.corpus import default_corpus_dir
from ckanext.grandest_harvesters.peers.opendatasoft import (
    API_PREFIX,
    generate_catalogue,
    opendatasoft_routes,
    with_duplicate_dataset,
    with_renamed_dataset,
    with_untitled_dataset,
    without_dataset,
)
from ckanext.grandest_harvesters.peers.server import PeerServer

DATASETS = f"{API_PREFIX}/catalog/datasets"


@pytest.fixture(scope="module")
def datasets() -> list[dict[str, Any]]:
    return generate_catalogue()


@pytest.fixture
def portal(datasets: list[dict[str, Any]]) -> Iterator[tuple[PeerServer, list[dict[str, Any]]]]:
    live = list(datasets)
    with PeerServer(opendatasoft_routes(live)) as server:
        yield server, live


def _get(server: PeerServer, path: str) -> requests.Response:
    return requests.get(server.url_for(path), timeout=10)


def test_at_least_a_thousand_unique_datasets(datasets: list[dict[str, Any]]) -> None:
    assert len(datasets) >= 1000
    assert len({d["dataset_uid"] for d in datasets}) == len(datasets)
    assert len({d["dataset_id"] for d in datasets}) == len(datasets)
    assert all(re.fullmatch(r"da_[a-z0-9]{6}", d["dataset_uid"]) for d in datasets)


def test_deterministic() -> None:
    assert json.dumps(generate_catalogue(200, seed=3)) == json.dumps(generate_catalogue(200, 3))
    assert json.dumps(generate_catalogue(200, seed=3)) != json.dumps(generate_catalogue(200, 4))


def test_shape_matches_the_corpus_examples(datasets: list[dict[str, Any]]) -> None:
    example = json.loads((default_corpus_dir() / "opendatasoft"
                          / "v2.1-doc-example-catalog-dataset.json").read_text())
    for dataset in datasets:
        assert set(example) <= set(dataset)
        assert set(example["metas"]["default"]) <= set(dataset["metas"]["default"])
        for field in dataset["fields"]:
            assert {"name", "label", "type", "description"} <= set(field)
    default_keys = {"title", "description", "theme", "keyword", "license", "license_url",
                    "language", "modified", "data_processed", "metadata_processed", "publisher",
                    "records_count", "territory", "geographic_reference"}
    assert all(default_keys <= set(d["metas"]["default"]) for d in datasets)
    dcat = [d["metas"]["dcat"] for d in datasets if "dcat" in d["metas"]]
    assert 0.5 * len(datasets) < len(dcat) < len(datasets)
    assert all({"created", "issued", "creator", "contact_name", "contact_email",
                "accrualperiodicity", "spatial", "temporal"} <= set(x) for x in dcat)
    assert any("geo" in d["features"] for d in datasets)
    assert any(not d["has_records"] for d in datasets)
    assert any(d["attachments"] for d in datasets)
    assert {d["visibility"] for d in datasets} <= {"domain", "restricted"}
    assert any("<p>" in (d["metas"]["default"]["description"] or "") for d in datasets)
    assert any(d["metas"]["default"]["license"] is None for d in datasets)


def test_paging_covers_everything_once(portal: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = portal
    seen: list[str] = []
    offset = 0
    while True:
        body = _get(server, f"{DATASETS}?limit=100&offset={offset}").json()
        assert body["total_count"] == len(live)
        if not body["results"]:
            break
        seen += [d["dataset_uid"] for d in body["results"]]
        offset += 100
    assert seen == [d["dataset_uid"] for d in live]


def test_limit_above_100_is_refused(portal: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, _ = portal
    response = _get(server, f"{DATASETS}?limit=101")
    assert response.status_code == 400
    assert response.json()["error_code"] == "InvalidRESTParameterError"
    assert len(_get(server, DATASETS).json()["results"]) == 10  # the default limit
    assert _get(server, f"{DATASETS}?limit=100&offset=9950").status_code == 400
    assert _get(server, f"{DATASETS}?limit=ten").status_code == 400


def test_where_and_refine(portal: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = portal
    where = quote('publisher="Ville de Mulhouse"')
    body = _get(server, f"{DATASETS}?limit=100&where={where}").json()
    expected = [d for d in live if d["metas"]["default"]["publisher"] == "Ville de Mulhouse"]
    assert body["total_count"] == len(expected) > 0
    theme = quote("theme:Environnement")
    body = _get(server, f"{DATASETS}?limit=100&refine={theme}").json()
    assert body["total_count"] == sum(
        "Environnement" in (d["metas"]["default"]["theme"] or []) for d in live)
    both = _get(server, f"{DATASETS}?where={where}&refine={theme}").json()["total_count"]
    assert both <= body["total_count"]
    bad = _get(server, f"{DATASETS}?where={quote('publisher ~~ 3')}")
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "ODSQLError"


def test_one_dataset_and_the_catalogue_export(
    portal: tuple[PeerServer, list[dict[str, Any]]],
) -> None:
    server, live = portal
    assert _get(server, f"{DATASETS}/{live[7]['dataset_id']}").json() == live[7]
    assert _get(server, f"{DATASETS}/nope").status_code == 404
    exported = _get(server, f"{API_PREFIX}/catalog/exports/json").json()
    assert [d["dataset_uid"] for d in exported] == [d["dataset_uid"] for d in live]


def test_dataset_exports(portal: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = portal
    geo = next(d for d in live if "geo" in d["features"])
    plain = next(d for d in live if d["has_records"] and "geo" not in d["features"])
    for fmt in ("csv", "json", "geojson", "shp", "xlsx", "parquet"):
        response = _get(server, f"{DATASETS}/{geo['dataset_id']}/exports/{fmt}")
        assert response.status_code == 200, fmt
        assert 0 < len(response.content) < 20_000
    rows = _get(server, f"{DATASETS}/{plain['dataset_id']}/exports/json").json()
    assert rows
    assert set(rows[0]) == {f["name"] for f in plain["fields"]}
    csv_text = _get(server, f"{DATASETS}/{plain['dataset_id']}/exports/csv").text
    assert csv_text.splitlines()[0].split(";") == [f["name"] for f in plain["fields"]]
    assert _get(server, f"{DATASETS}/{plain['dataset_id']}/exports/geojson").status_code == 400
    assert _get(server, f"{DATASETS}/{plain['dataset_id']}/exports/doc").status_code == 400
    with_attachment = next(d for d in live if d["attachments"])
    listing = _get(server, f"{DATASETS}/{with_attachment['dataset_id']}/attachments").json()
    first = listing["attachments"][0]["href"]
    assert requests.get(first, timeout=10).status_code == 200


def test_rename_keeps_the_uid(portal: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = portal
    old = live[42]
    renamed = with_renamed_dataset(live, old["dataset_id"])
    assert live[42] is old  # the input is not modified
    live[:] = renamed
    new = live[42]
    assert new["dataset_uid"] == old["dataset_uid"]
    assert new["dataset_id"] != old["dataset_id"]
    assert _get(server, f"{DATASETS}/{old['dataset_id']}").status_code == 404
    served = _get(server, f"{DATASETS}/{new['dataset_id']}").json()
    assert served["dataset_uid"] == old["dataset_uid"]
    assert served["metas"] == old["metas"]
    with pytest.raises(ValueError, match="exists"):
        with_renamed_dataset(live, live[0]["dataset_id"], live[1]["dataset_id"])


def test_other_changes_between_two_harvests(datasets: list[dict[str, Any]]) -> None:
    target = datasets[3]["dataset_id"]
    duplicated = with_duplicate_dataset(datasets, target)
    assert [d["dataset_id"] for d in duplicated[3:5]] == [target, target]
    assert len(without_dataset(datasets, target)) == len(datasets) - 1
    assert with_untitled_dataset(datasets, target)[3]["metas"]["default"]["title"] is None
    assert datasets[3]["metas"]["default"]["title"] is not None
