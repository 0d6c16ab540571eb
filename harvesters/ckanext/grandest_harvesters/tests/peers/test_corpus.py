"""Every file of ../shared/corpus (but SOURCES.md and the SHACL shapes) is served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ckanext.grandest_harvesters.peers.corpus import (
    CORPUS_ROUTES,
    CorpusRoute,
    corpus_files,
    corpus_routes,
    default_corpus_dir,
)
from ckanext.grandest_harvesters.peers.server import PeerServer, mount

CORPUS = default_corpus_dir()


@pytest.fixture(scope="module")
def peer() -> Iterator[PeerServer]:
    with PeerServer(mount("/corpus", corpus_routes())) as server:
        yield server


def _primary(file: str) -> CorpusRoute:
    return next(r for r in CORPUS_ROUTES if r.file == file and r.extract is None)


def test_the_corpus_sits_beside_the_repository() -> None:
    repo_root = Path(__file__).resolve().parents[5]
    assert (repo_root / "setup.py").is_file()
    assert repo_root.parent / "shared" / "corpus" == CORPUS
    assert (CORPUS / "SOURCES.md").is_file()


def test_every_file_has_a_route() -> None:
    files = corpus_files()
    assert len(files) == 35
    assert not [f for f in files if f.startswith("shacl/") or f == "SOURCES.md"]
    routed = {r.file for r in CORPUS_ROUTES if r.extract is None}
    assert routed == set(files)
    urls = [r.url for r in CORPUS_ROUTES]
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize("file", corpus_files(CORPUS))
def test_file_is_served_byte_for_byte(peer: PeerServer, file: str) -> None:
    route = _primary(file)
    response = requests.get(peer.url_for("/corpus" + route.url), timeout=10)
    assert response.status_code == 200
    assert response.content == (CORPUS / file).read_bytes()
    assert response.headers["Content-Type"] == route.media_type


@pytest.mark.parametrize("route", [r for r in CORPUS_ROUTES if r.extract is not None],
                         ids=lambda r: r.query)
def test_recorded_package_show_replayed(peer: PeerServer, route: CorpusRoute) -> None:
    body = requests.get(peer.url_for("/corpus" + route.url), timeout=10).json()
    assert body["success"] is True
    assert body["result"]["name"] == route.query.removeprefix("id=")


def test_selection_by_query_and_what_is_not_in_the_corpus(peer: PeerServer) -> None:
    def get(url: str) -> requests.Response:
        return requests.get(peer.url_for("/corpus" + url), timeout=10)

    hydra_1 = (CORPUS / "dcat/hydra-partial-collection-1.jsonld").read_bytes()
    assert get("/hydra/catalog.jsonld").content == hydra_1  # no page = page 1
    assert get("/hydra/catalog.jsonld?page=2").content == (
        CORPUS / "dcat/hydra-partial-collection-2.jsonld").read_bytes()
    missing = get("/hydra-legacy/catalog.jsonld?page=2")
    assert missing.status_code == 404
    assert "Not in the corpus" in missing.text
    assert get("/demo-ckan/api/3/action/package_show?id=other").status_code == 404
    assert get("/ods-etalab-sandbox/api/datasets/1.0/search").status_code == 200  # no slash


def test_csw_get_and_post(peer: PeerServer) -> None:
    path = "/corpus/geo-ide/csw/all-dataset"
    expected = (CORPUS / "csw/geoide-csw-getrecords-iso19139-page-1.xml").read_bytes()
    kvp = requests.get(peer.url_for(path + "?SERVICE=CSW&REQUEST=GetRecords"), timeout=10)
    assert kvp.content == expected
    post = ('<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" '
            'version="2.0.2" resultType="results" startPosition="{}" maxRecords="10"/>')
    first = requests.post(peer.url_for(path), data=post.format(1), timeout=10)
    assert first.content == expected
    second = requests.post(peer.url_for(path), data=post.format(3), timeout=10)
    assert second.status_code == 404
    caps = requests.get(peer.url_for(path + "?service=CSW&request=GetCapabilities"), timeout=10)
    assert caps.status_code == 404


def test_rebased_hydra_links_can_be_followed() -> None:
    with PeerServer(mount("/corpus", corpus_routes(rebase=True))) as server:
        site = server.url + "/corpus/hydra"
        first = requests.get(site + "/catalog.jsonld", timeout=10).json()
        view = next(n for n in first if "http://www.w3.org/ns/hydra/core#next" in n)
        next_url = view["http://www.w3.org/ns/hydra/core#next"][0]["@value"]
        assert next_url == site + "/catalog.jsonld?page=2"
        second = requests.get(next_url, timeout=10).json()
    assert site + "/datasets/4" in {n["@id"] for n in second}
    assert not json.dumps(second).count("data.test.org")


def test_a_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        corpus_routes(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="missing"):
        corpus_routes(tmp_path)
