"""How the catalogue is read: filters, the whole-catalogue export, the paging window,
records that cannot be followed, the source configuration."""

from __future__ import annotations

import copy
import json
from urllib.parse import parse_qs

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.fetching import FetchError
from ckanext.grandest_harvesters.opendatasoft import (
    OpendatasoftHarvester,
    catalogue_pages,
    portal_url,
)
from ckanext.grandest_harvesters.peers import opendatasoft as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer, Route

LISTING = f"{fixture.API_PREFIX}/catalog/datasets"
EXPORT = f"{fixture.API_PREFIX}/catalog/exports/json"
WHERE = 'publisher="Ville et Eurométropole de Strasbourg"'
REFINE = ["theme:Environnement", "language:fr"]


def _expected(datasets, *, where_refine: bool) -> set[str]:
    selected = [d for d in datasets if d["visibility"] == "domain"]
    if where_refine:
        selected = [d for d in selected
                    if d["metas"]["default"]["publisher"] == WHERE.split('"')[1]
                    and "Environnement" in (d["metas"]["default"]["theme"] or [])]
    return {d["dataset_uid"] for d in selected}


@pytest.fixture
def portal():
    datasets = fixture.generate_catalogue(300, seed=2)
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        peer.datasets = datasets
        yield peer


@pytest.mark.parametrize("use_export", [False, True], ids=["paged", "export"])
def test_where_and_refine_are_sent_to_the_portal(portal, make_source, run_harvest, use_export):
    config = {"where": WHERE, "refine": REFINE, "use_export": use_export}
    run = run_harvest(make_source(portal.url, "opendatasoft", config))

    expected = _expected(portal.datasets, where_refine=True)
    assert 0 < len(expected) < 50
    assert set(run.objects) == expected
    assert run.stats["added"] == len(expected)
    (request,) = portal.seen      # one page, or the export
    assert request.path == (EXPORT if use_export else LISTING)
    query = parse_qs(request.query_string)
    assert query["where"] == [WHERE]
    assert query["refine"] == REFINE


def test_a_single_refine_is_accepted(portal, make_source, run_harvest):
    run = run_harvest(make_source(portal.url, "opendatasoft",
                                  {"refine": "theme:Environnement"}))
    assert run.stats["added"] == len([
        d for d in portal.datasets if d["visibility"] == "domain"
        and "Environnement" in (d["metas"]["default"]["theme"] or [])])
    assert all(parse_qs(s.query_string)["refine"] == ["theme:Environnement"]
               for s in portal.seen)


def test_the_export_reads_the_whole_catalogue_in_one_request(make_source, run_harvest):
    datasets = fixture.generate_catalogue(120, seed=8)     # more than one page
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        run = run_harvest(make_source(peer.url, "opendatasoft", {"use_export": True}))
        assert peer.count(EXPORT) == 1
        assert peer.count(LISTING) == 0
    expected = _expected(datasets, where_refine=False)
    assert set(run.objects) == expected
    assert run.stats["added"] == len(expected)
    assert call_action("package_search", rows=0)["count"] == len(expected)


def test_a_dataset_without_uid_is_skipped_with_a_gather_error(make_source, run_harvest):
    datasets = fixture.generate_catalogue(12, seed=4)
    broken = copy.deepcopy(datasets[3])
    del broken["dataset_uid"]
    datasets[3] = broken
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        run = run_harvest(make_source(peer.url, "opendatasoft"))
    assert run.job["status"] == "Finished"
    assert run.gather_errors == [
        f"Le jeu de données Opendatasoft {broken['dataset_id']} n'a pas de dataset_uid ou de "
        "dataset_id : il est ignoré"
    ]
    public = [d for d in datasets if d["visibility"] == "domain" and d is not broken]
    assert run.stats == {"added": len(public), "errored": 1}


def _endless_listing(request):
    """A portal announcing 25,000 datasets: the paged API cannot go past 10,000."""
    offset = int(request.arg("offset", "0"))
    body = {"total_count": 25000, "results": [
        {"dataset_uid": f"da_{offset + n}", "dataset_id": f"d{offset + n}", "metas": {}}
        for n in range(int(request.arg("limit", "10")))]}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def test_the_paged_listing_stops_at_the_api_window(with_request_context):
    with PeerServer([Route(LISTING, _endless_listing)]) as peer:
        pages = catalogue_pages(peer.url, {})
        datasets = [next(pages) for _ in range(10_000)]
        with pytest.raises(FetchError, match='"use_export": true'):
            next(pages)
        assert peer.count(LISTING) == 100
    assert len({d["dataset_uid"] for d in datasets}) == 10_000


@pytest.mark.parametrize("given", [
    "https://data.strasbourg.eu",
    "https://data.strasbourg.eu/",
    "https://data.strasbourg.eu/explore/",
    "https://data.strasbourg.eu/explore/dataset/lieux_parcs/information/",
    "https://data.strasbourg.eu/api/explore/v2.1/",
    "https://data.strasbourg.eu/api/explore/v2.1/catalog/datasets?limit=10",
])
def test_the_portal_root_from_any_of_its_urls(given):
    assert portal_url(given) == "https://data.strasbourg.eu"


def test_a_portal_below_a_path_keeps_it():
    assert portal_url("http://127.0.0.1:8000/ods-doc/api/explore/v2.1/catalog/datasets") \
        == "http://127.0.0.1:8000/ods-doc"


@pytest.mark.parametrize("config", [
    {"where": "publisher='Ville de Mulhouse'", "refine": "theme:Environnement"},
    {"refine": ["theme:Environnement", "publisher:Ville de Mulhouse"], "use_export": True},
    {"withdraw": "private"},
])
def test_valid_configurations(config):
    assert OpendatasoftHarvester().validate_config(json.dumps(config)) == json.dumps(config)


@pytest.mark.parametrize(("config", "message"), [
    ({"use_export": "yes"}, "« use_export » doit valoir true ou false"),
    ({"where": ["a", "b"]}, "« where » doit être une expression ODSQL"),
    ({"refine": "Environnement"}, "« refine » doit être de la forme facette:valeur"),
    ({"refine": [1]}, "« refine » doit être de la forme facette:valeur"),
    (["where", "refine"], "La configuration doit être un objet JSON"),
])
def test_invalid_configurations(with_request_context, config, message):
    with pytest.raises(ValueError, match=message):
        OpendatasoftHarvester().validate_config(json.dumps(config))
