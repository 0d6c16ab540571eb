"""Paging through a CSW catalogue: GetRecords pages, a loop, a page cap, a catalogue that
lists fewer records than it announces, a constraint, an exception report."""

from __future__ import annotations

from urllib.parse import parse_qs

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ckanext.grandest_harvesters.csw import GMD, endpoint, getrecords_url
from ckanext.grandest_harvesters.peers import csw as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer
from ckanext.grandest_harvesters.tests.csw.conftest import record_xml, static_catalogue

INCOMPLETE = "La source n'a pas pu être lue entièrement"


def _harvestable(records) -> set[str]:
    return {r["identifier"] for r in records if r["hierarchy"] != "service"}


def _requests(peer: PeerServer) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(s.query_string).items()}
            for s in peer.seen if s.path == fixture.CSW_PATH]


def _active() -> int:
    return model.Session.query(model.Package).filter(
        model.Package.type == "dataset", model.Package.state == "active").count()


def test_pages_through_the_catalogue(generated, make_source, run_harvest):
    run = run_harvest(make_source(generated.csw_url, "grandest_csw", {"page_size": 10}))
    assert run.job["status"] == "Finished"
    assert run.gather_errors == []
    # 24 records, 10 a page: startPosition 1, 11, 21, each a full ISO GetRecords.
    asked = _requests(generated)
    assert [q["startPosition"] for q in asked] == ["1", "11", "21"]
    for query in asked:
        assert query == {**query, "service": "CSW", "version": "2.0.2",
                         "request": "GetRecords", "outputSchema": GMD,
                         "elementSetName": "full", "resultType": "results",
                         "maxRecords": "10"}
    # Services are not datasets: left out, without an error.
    expected = _harvestable(generated.records)
    assert len(expected) == 22
    assert set(run.objects) == expected
    assert run.stats["added"] == 22
    assert _active() == 22


def test_a_next_record_that_does_not_move_forward_stops_the_listing(make_source, run_harvest):
    records = fixture.generate_catalogue(24)
    with PeerServer(fixture.csw_routes(records)) as peer:
        source = make_source(peer.url_for(fixture.CSW_PATH), "grandest_csw", {"page_size": 10})
        run_harvest(source)
        before = _active()
        peer.replace_routes(fixture.csw_routes(records, loop_from=11))
        peer.reset_counts()
        looping = run_harvest(source)
        asked = [q["startPosition"] for q in _requests(peer)]
    assert looping.job["status"] == "Finished"
    (error,) = looping.gather_errors
    assert error.startswith(INCOMPLETE)
    assert "nextRecord=11" in error and "startPosition=11" in error
    assert asked == ["1", "11"]                  # the same page is not asked twice
    assert looping.stats.get("deleted", 0) == 0
    assert _active() == before


@pytest.mark.ckan_config("ckanext.grandest_harvesters.csw.max_pages", 3)
def test_the_page_cap_stops_the_listing(generated, make_source, run_harvest):
    run = run_harvest(make_source(generated.csw_url, "grandest_csw", {"page_size": 5}))
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert "ckanext.grandest_harvesters.csw.max_pages" in error
    assert len(_requests(generated)) == 3
    first_pages = [r["identifier"] for r in generated.records[:15]]
    assert set(run.objects) == set(first_pages) & _harvestable(generated.records)


def test_fewer_records_than_announced(make_source, run_harvest):
    records = [record_xml("full"), record_xml("sparse")]
    with PeerServer(static_catalogue(records, matched=5)) as peer:
        run = run_harvest(make_source(peer.url_for(fixture.CSW_PATH), "grandest_csw"))
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert " 5 " in error and " 2" in error
    assert run.stats["added"] == 2


def test_a_cql_constraint_filters_the_catalogue(generated, make_source, run_harvest):
    cql = "OrganisationName = 'Région Grand Est'"
    run = run_harvest(make_source(generated.csw_url, "grandest_csw", {"cql": cql}))
    assert run.gather_errors == []
    (query,) = _requests(generated)
    assert (query["constraintLanguage"], query["constraint"]) == ("CQL_TEXT", cql)
    expected = {r["identifier"] for r in generated.records
                if r["organisation"] == "Région Grand Est" and r["hierarchy"] != "service"}
    assert expected and set(run.objects) == expected


def test_an_exception_report_is_a_readable_error(generated, make_source, run_harvest):
    run = run_harvest(make_source(generated.csw_url, "grandest_csw",
                                  {"cql": "Title LIKE '%vélo%'"}))
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert generated.csw_url in error
    assert "Only OrganisationName = '…' is understood here" in error


def test_the_endpoint_drops_getrecords_parameters_of_the_source_url():
    url = ("https://www.geograndest.fr/geonetwork/srv/fre/csw?SERVICE=CSW&REQUEST="
           "GetCapabilities&version=2.0.2&portal=region#top")
    assert endpoint(url) == "https://www.geograndest.fr/geonetwork/srv/fre/csw?portal=region"
    assert getrecords_url(endpoint(url), 51, 50).startswith(
        "https://www.geograndest.fr/geonetwork/srv/fre/csw?portal=region&service=CSW&")


@pytest.mark.parametrize("config", [{"page_size": 0}, {"page_size": 501},
                                    {"page_size": "10"}, {"cql": 3}, {"withdraw": "never"}])
def test_invalid_configurations_are_refused(make_source, config):
    with pytest.raises(tk.ValidationError):
        make_source("http://127.0.0.1/csw", "grandest_csw", config)
