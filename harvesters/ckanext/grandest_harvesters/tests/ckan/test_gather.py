"""How a partner CKAN portal is read: package_search pages, the filters, package_list
(DKAN), a selection of datasets, the API key, and what makes a listing incomplete."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs

import pytest

from ckanext.grandest_harvesters.base import RemoteRecord, SkippedRecord
from ckanext.grandest_harvesters.ckan import GrandEstCKANHarvester, portal_url
from ckanext.grandest_harvesters.fetching import FetchError
from ckanext.grandest_harvesters.peers import ckan as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerRequest, PeerServer, Route

SEARCH = f"{fixture.API_PREFIX}/package_search"
SHOW = f"{fixture.API_PREFIX}/package_show"
LIST = f"{fixture.API_PREFIX}/package_list"


def _gather(url: str, config: dict | None = None) -> list:
    return list(GrandEstCKANHarvester().gather_records(url, config or {}))


def _public(datasets) -> list[dict]:
    return [d for d in datasets if not d["private"] and d["state"] == "active"]


@pytest.fixture
def large_portal():
    datasets = fixture.generate_catalogue(250, seed=2)
    with PeerServer(fixture.ckan_routes(datasets)) as peer:
        peer.datasets = datasets
        yield peer


def test_package_search_pages_of_100_sorted_by_id(with_request_context, large_portal):
    records = _gather(large_portal.url)

    assert [r.guid for r in records] == sorted(d["id"] for d in large_portal.datasets)
    assert all(isinstance(r, RemoteRecord) for r in records)
    pages = [parse_qs(s.query_string) for s in large_portal.seen]
    assert [p["start"] for p in pages] == [["0"], ["100"], ["200"]]
    assert all(p["rows"] == ["100"] and p["sort"] == ["id asc"] and "fq" not in p
               for p in pages)


def test_a_dataset_seen_on_an_earlier_page_is_skipped(with_request_context):
    """A dataset created while the harvester pages shifts the next pages by one: the
    dataset at the edge comes twice, and is gathered once (the stock harvester's way)."""
    datasets = fixture.generate_catalogue(250, seed=2)
    newcomer = {**fixture.generate_catalogue(1, seed=99)[0],
                "id": "00000000-0000-4000-8000-000000000000"}
    routes = fixture.ckan_routes(datasets)
    search = routes[0].handler

    def shifting(request: PeerRequest):
        if request.arg("start") == "100" and newcomer not in datasets:
            datasets.append(newcomer)        # sorts first: every later dataset moves on
        return search(request)

    with PeerServer([Route(SEARCH, shifting), *routes[1:]]) as peer:
        records = _gather(peer.url)
    guids = [r.guid for r in records]
    assert len(guids) == len(set(guids)) == 250
    assert newcomer["id"] not in guids       # gathered by the next harvest


def test_a_page_repeating_itself_stops_the_listing(message):
    """A portal that ignores ``start`` would be read forever: the second page, identical
    to the first, ends the listing with an error (the listing is then incomplete)."""
    datasets = fixture.generate_catalogue(150, seed=2)
    search = fixture.ckan_routes(datasets)[0].handler

    def ignoring_start(request: PeerRequest):
        request.query.pop("start", None)
        return search(request)

    with PeerServer([Route(SEARCH, ignoring_start)]) as peer:
        records = GrandEstCKANHarvester().gather_records(peer.url, {})
        first_page = list(itertools.islice(records, 100))
        with pytest.raises(FetchError) as error:
            next(records)
        second_page = f"{peer.url}{SEARCH}?rows=100&start=100&sort=id+asc"
    assert len(first_page) == 100
    assert str(error.value) == message(
        "The portal answers the same page again at {url}: its paging does not work",
        url=second_page)


def test_organisation_and_group_filters(with_request_context, large_portal):
    config = {"organizations_filter_include": ["ville-de-metz", "ville-de-reims"],
              "groups_filter_exclude": ["citoyennete"]}
    records = _gather(large_portal.url, config)

    expected = {d["id"] for d in large_portal.datasets
                if d["organization"]["name"] in ("ville-de-metz", "ville-de-reims")
                and "citoyennete" not in {g["name"] for g in d["groups"]}}
    assert {r.guid for r in records} == expected and expected
    (query,) = [parse_qs(s.query_string) for s in large_portal.seen]
    assert query["fq"] == ["organization:ville-de-metz OR organization:ville-de-reims "
                           "-groups:citoyennete"]


def test_the_filters_hold_where_the_portal_ignores_them(with_request_context):
    datasets = fixture.generate_catalogue(40, seed=3)
    search = fixture.ckan_routes(datasets)[0].handler

    def ignoring_fq(request: PeerRequest):
        request.query.pop("fq", None)
        return search(request)

    with PeerServer([Route(SEARCH, ignoring_fq)]) as peer:
        records = _gather(peer.url, {"organizations_filter_exclude": ["ville-de-metz"]})
    assert {r.guid for r in records} == {
        d["id"] for d in datasets if d["organization"]["name"] != "ville-de-metz"}


def test_package_list_then_package_show_for_dkan(with_request_context):
    datasets = fixture.generate_catalogue(12, seed=4)
    with PeerServer(fixture.ckan_routes(datasets, flavour="dkan")) as peer:
        records = _gather(peer.url, {"listing": "package_list"})
        assert peer.count(LIST) == 1 and peer.count(SHOW) == 12
        assert peer.count(SEARCH) == 0
    assert sorted(r.guid for r in records) == sorted(d["id"] for d in datasets)
    assert records[0].content["package"]["title"] == datasets[0]["title"]


def test_a_selection_of_datasets(with_request_context, portal):
    first, second, hidden = portal.datasets[2], portal.datasets[9], portal.datasets[11]
    portal.datasets[:] = fixture.with_private_dataset(portal.datasets, hidden["name"])
    config = {"datasets": [first["name"], second["id"], hidden["name"], "inconnu"],
              "api_key": "cle-secrete"}
    records = GrandEstCKANHarvester().gather_records(portal.url, config)

    assert [r.guid for r in itertools.islice(records, 2)] == [first["id"], second["id"]]
    skipped = next(records)          # the key lets the portal show it: it is private
    assert isinstance(skipped, SkippedRecord) and skipped.guid is None
    assert hidden["name"] in skipped.reason
    with pytest.raises(FetchError) as unknown:   # read what could be, then say what not
        next(records)
    assert "inconnu" in str(unknown.value) and "404" in str(unknown.value)
    assert portal.count(SEARCH) == 0


def test_the_api_key_goes_to_the_portal_only(with_request_context, portal):
    hidden = portal.datasets[4]
    portal.datasets[:] = fixture.with_private_dataset(portal.datasets, hidden["name"])
    # Without the key, the portal refuses to show a private dataset.
    with pytest.raises(FetchError, match="403"):
        _gather(portal.url, {"datasets": [hidden["name"]]})

    received = []

    def elsewhere(request: PeerRequest):
        received.append(request.headers.get("Authorization"))
        return 200, {"Content-Type": "application/json"}, b'{"success": true, "result": ' \
            b'{"count": 0, "results": []}}'

    with PeerServer([Route(SEARCH, elsewhere)]) as other:
        portal.set_fault(SEARCH, Fault.redirect(other.url + SEARCH))
        assert _gather(portal.url, {"api_key": "cle-secrete"}) == []
    assert received == [None]        # the redirect's target never sees the key
    (skipped,) = _gather(portal.url, {"datasets": [hidden["name"]], "api_key": "cle-secrete"})
    assert isinstance(skipped, SkippedRecord)


@pytest.mark.parametrize("given", [
    "https://data.grandest.example",
    "https://data.grandest.example/",
    "https://data.grandest.example/dataset/arbres-de-metz",
    "https://data.grandest.example/api/3/action/package_search?q=arbres",
    "https://data.grandest.example/api/action/package_list",
])
def test_the_portal_root_from_any_of_its_urls(given):
    assert portal_url(given) == "https://data.grandest.example"


def test_a_portal_below_a_path_keeps_it():
    assert portal_url("https://www.datasud.fr/fr/indexer/service/ckan/api/3/action/"
                      "package_search") == "https://www.datasud.fr/fr/indexer/service/ckan"
