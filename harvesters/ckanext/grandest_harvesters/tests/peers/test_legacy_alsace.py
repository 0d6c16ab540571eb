"""The generated legacy Open Data Alsace catalogue and its OData server."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ckanext.grandest_harvesters.peers.legacy_alsace import (
    CATEGORIES,
    SOURCE_TYPE,
    anomalies,
    generate_catalogue,
    legacy_alsace_routes,
    with_changed_entry,
    without_entry,
)
from ckanext.grandest_harvesters.peers.server import PeerServer, mount

CATALOGUE = "/dataserver/CRAL/catalog/Source?$format=json"
FREQUENCIES = {"Annuelle", "Mensuelle", "Journalière", "Hebdomadaire", "Trimestrielle",
               "Semestrielle", "Ponctuelle", "Temps réel"}
LICENCE_TEXTS = {"Licence ouverte Alsace", "Licence Libre", "Licence Ouverte (Etalab)", "ODbL"}


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    return generate_catalogue()


@pytest.fixture
def served(entries: list[dict[str, Any]]) -> Iterator[tuple[PeerServer, list[dict[str, Any]]]]:
    live = list(entries)
    with PeerServer(legacy_alsace_routes(live)) as server:
        yield server, live


def _get(server: PeerServer, path: str) -> requests.Response:
    return requests.get(server.url_for(path), timeout=10)


# --- the generator ------------------------------------------------------------------------


def test_two_thousand_distinct_entries_by_default() -> None:
    generated = generate_catalogue()
    assert len(generated) == 2000
    assert len({e["id"] for e in generated}) == 2000
    assert len({e["__metadata"]["uri"] for e in generated}) == 2000


def test_same_seed_same_bytes() -> None:
    first = json.dumps(generate_catalogue(300, seed=5), ensure_ascii=False).encode()
    again = json.dumps(generate_catalogue(300, seed=5), ensure_ascii=False).encode()
    other = json.dumps(generate_catalogue(300, seed=6), ensure_ascii=False).encode()
    assert first == again
    assert first != other


def test_entries_follow_the_contract(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        assert entry["__metadata"]["type"] == SOURCE_TYPE
        uri = entry["__metadata"]["uri"]
        assert uri == f"http://opendata.alsace.fr/dataserver/CRAL/catalog/Source('{entry['id']}')"
        assert entry["id"].startswith("cral-")
        assert isinstance(entry["descriptions"]["results"], list)
        for category in entry["categories"]["results"]:
            assert category["name"] in CATEGORIES
            assert set(category) == {"name", "uri"}
        licence = entry["copyright"]["licences"]["results"][0]
        assert licence["summary"]["results"][0]["text"] in LICENCE_TEXTS
        assert licence["summary"]["results"][0]["language"] in ("fr", "fr-FR")
        assert "url" in licence
        assert entry["copyright"]["owner"] in ("region", "cigal")
        assert entry.get("updateFrequency") in FREQUENCIES | {None}
        assert entry["locale"] in ("fr", "fr-FR")
        assert entry["privacy"] in ("PUBLIC", "PRIVATE", "RESTRICTED")
        assert isinstance(entry["history"]["results"], list)
        assert isinstance(entry["schema"]["results"], list)
        assert entry["extensions"]["__deferred"]["uri"].endswith("/extensions")


def test_realistic_and_messy_content(entries: list[dict[str, Any]]) -> None:
    descriptions = [d for e in entries for d in e["descriptions"]["results"]]
    titles = [d["title"] for d in descriptions if "title" in d]
    summaries = " ".join(d["summary"] for d in descriptions)
    assert any("é" in t for t in titles)
    assert any("Mulhouse" in t for t in titles)
    for fragment in ("<p>", "<strong>", "<a href=", "<br/>", "&eacute;", "&amp;"):
        assert fragment in summaries
    keyword_lists = [d["keywords"]["results"] for d in descriptions if "keywords" in d]
    assert any(len(k) != len(set(k)) for k in keyword_lists)  # exact duplicates
    assert any(len({w.lower() for w in k}) < len(set(k)) for k in keyword_lists)  # case
    assert any("keywords" not in d for d in descriptions)
    assert any("subtitle" not in d for d in descriptions)
    assert any(d.get("thumbnail") is None for d in descriptions)
    assert any("updateFrequency" not in e for e in entries)
    assert any("lastUpdateDate" not in e for e in entries)
    assert {e["copyright"]["owner"] for e in entries} == {"region", "cigal"}
    assert {c["name"] for e in entries for c in e["categories"]["results"]} == set(CATEGORIES)
    assert any(not e["categories"]["results"] for e in entries)


def test_broken_entries_are_there(entries: list[dict[str, Any]]) -> None:
    found = anomalies(entries)
    assert {e["privacy"] for e in entries} == {"PUBLIC", "PRIVATE", "RESTRICTED"}
    assert len(found["not_public"]) >= 20
    assert len(found["missing_title"]) >= 5
    assert len(found["bad_date"]) >= 5
    assert any(not e["descriptions"]["results"] for e in entries)
    assert len(entries) - len(set().union(*found.values())) > 1900


def test_with_changed_entry_and_without_entry(entries: list[dict[str, Any]]) -> None:
    target = next(e for e in entries if not anomalies([e])["missing_title"]
                  and not anomalies([e])["bad_date"] and "lastUpdateDate" in e)
    changed = with_changed_entry(entries, target["id"])
    assert len(changed) == len(entries)
    new = next(e for e in changed if e["id"] == target["id"])
    assert new["descriptions"]["results"][0]["title"].endswith("(mise à jour)")
    assert new["lastUpdateDate"][:19] > target["lastUpdateDate"][:19]
    assert sum(a is not b for a, b in zip(changed, entries, strict=True)) == 1
    assert target["descriptions"]["results"][0]["title"] != new["descriptions"]["results"][0][
        "title"]  # the original list is untouched
    removed = without_entry(entries, target["id"])
    assert len(removed) == len(entries) - 1
    assert target["id"] not in {e["id"] for e in removed}
    with pytest.raises(KeyError):
        without_entry(entries, "cral-999999")


# --- the server ---------------------------------------------------------------------------


def test_results_envelope(served: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = served
    response = _get(server, CATALOGUE)
    assert response.headers["Content-Type"].startswith("application/json")
    results = response.json()["d"]["results"]
    assert [e["id"] for e in results] == [e["id"] for e in live]
    assert "__next" not in response.json()["d"]
    # Self links are this peer's own URLs (fetchable), not the old host.
    assert results[0]["__metadata"]["uri"].startswith(server.url + "/dataserver/CRAL/")


def test_list_envelope(entries: list[dict[str, Any]]) -> None:
    with PeerServer(legacy_alsace_routes(entries, envelope="list")) as server:
        body = _get(server, CATALOGUE).json()
    assert isinstance(body["d"], list)
    assert len(body["d"]) == 2000
    with pytest.raises(ValueError, match="results"):
        legacy_alsace_routes(entries, envelope="list", page_size=100)


def test_same_bytes_served_twice(entries: list[dict[str, Any]]) -> None:
    with PeerServer(legacy_alsace_routes(entries, rewrite_base=False)) as a, \
            PeerServer(legacy_alsace_routes(generate_catalogue(), rewrite_base=False)) as b:
        assert _get(a, CATALOGUE).content == _get(b, CATALOGUE).content
        assert b"http://opendata.alsace.fr/dataserver/CRAL/" in _get(a, CATALOGUE).content


def test_paging_with_next_links_covers_every_entry_once(entries: list[dict[str, Any]]) -> None:
    routes = mount("/legacy", legacy_alsace_routes(entries, page_size=150))
    seen: list[str] = []
    with PeerServer(routes) as server:
        url: str | None = server.url_for("/legacy" + CATALOGUE)
        while url:
            d = requests.get(url, timeout=10).json()["d"]
            seen += [e["id"] for e in d["results"]]
            url = d.get("__next")
            if url:
                assert url.startswith(server.url + "/legacy/dataserver/CRAL/catalog/Source?")
                assert "$skip=" in url
        requests_made = server.count("/legacy/dataserver/CRAL/catalog/Source")
    assert seen == [e["id"] for e in entries]
    assert requests_made == math.ceil(2000 / 150)


def test_top_skip_and_inlinecount(served: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = served
    d = _get(server, CATALOGUE + "&$top=50&$skip=100&$inlinecount=allpages").json()["d"]
    assert [e["id"] for e in d["results"]] == [e["id"] for e in live[100:150]]
    assert d["__count"] == "2000"
    assert _get(server, CATALOGUE + "&$top=abc").status_code == 400
    assert _get(server, "/dataserver/CRAL/catalog/Source").status_code == 400
    assert _get(server, "/dataserver/OTHER/catalog/Source?$format=json").status_code == 404


def test_client_top_within_server_pages(entries: list[dict[str, Any]]) -> None:
    with PeerServer(legacy_alsace_routes(entries, page_size=100)) as server:
        d = _get(server, CATALOGUE + "&$top=500").json()["d"]
        assert len(d["results"]) == 100
        assert d["__next"].endswith("$skip=100&$top=500")


def test_the_source_changes_between_two_harvests(
    served: tuple[PeerServer, list[dict[str, Any]]],
) -> None:
    server, live = served
    first = _get(server, CATALOGUE).json()["d"]["results"]
    live[:] = without_entry(with_changed_entry(live, "cral-000010"), "cral-000011")
    second = _get(server, CATALOGUE).json()["d"]["results"]
    assert len(second) == len(first) - 1
    assert "cral-000011" not in {e["id"] for e in second}
    assert _get(server, "/dataserver/CRAL/data/cral-000011?$format=csv").status_code == 404


def test_one_entry_and_its_deferred_extensions(
    served: tuple[PeerServer, list[dict[str, Any]]],
) -> None:
    server, _ = served
    entry = _get(server, CATALOGUE).json()["d"]["results"][3]
    one = requests.get(entry["__metadata"]["uri"], timeout=10).json()["d"]
    assert one == entry
    extensions = requests.get(entry["extensions"]["__deferred"]["uri"], timeout=10).json()
    assert {x["key"] for x in extensions["d"]["results"]} == {"territoire", "producteur"}
    assert _get(server, "/dataserver/CRAL/catalog/Source('nope')").status_code == 404
    thumbnails = [d["thumbnail"] for e in _get(server, CATALOGUE).json()["d"]["results"]
                  for d in e["descriptions"]["results"] if d.get("thumbnail")]
    image = requests.get(thumbnails[0], timeout=10)
    assert image.headers["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_data_in_csv_json_and_atom(served: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, live = served
    entry = live[0]
    base = f"/dataserver/CRAL/data/{entry['id']}"
    schema = [c["name"] for c in entry["schema"]["results"]]

    as_csv = _get(server, base + "?$format=csv")
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8")), delimiter=";"))
    assert rows
    assert list(rows[0]) == schema

    as_json = _get(server, base + "?$format=json").json()["d"]["results"]
    assert [r["commune"] for r in as_json] == [r["commune"] for r in rows]
    assert as_json[0]["__metadata"]["uri"].startswith(server.url + base)

    atom = _get(server, base)
    assert atom.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom",
          "d": "http://schemas.microsoft.com/ado/2007/08/dataservices"}
    communes = [e.text for e in feed.iterfind("a:entry/a:content/*/d:commune", ns)]
    assert communes == [r["commune"] for r in rows]

    assert _get(server, base + "?$format=csv").content == as_csv.content  # deterministic
    assert _get(server, "/dataserver/CRAL/data/cral-999999?$format=csv").status_code == 404
    assert _get(server, "/dataserver/CRAL/data/cral-999999").status_code == 404
    assert _get(server, base + "?$format=xls").status_code == 400


def test_non_public_entries_are_served_too(served: tuple[PeerServer, list[dict[str, Any]]]) -> None:
    server, _ = served
    results = _get(server, CATALOGUE).json()["d"]["results"]
    assert {e["privacy"] for e in results} == {"PUBLIC", "PRIVATE", "RESTRICTED"}
    found = anomalies(results)
    assert found["missing_title"]
    assert found["bad_date"]
