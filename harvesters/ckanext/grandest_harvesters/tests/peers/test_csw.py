"""The generated CSW 2.0.2 catalogue of ISO 19139 records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree
from owslib.iso import MD_Metadata

from ckanext.grandest_harvesters.peers.csw import (
    CSW_PATH,
    GMD,
    csw_routes,
    generate_catalogue,
    render_record,
    without_record,
)
from ckanext.grandest_harvesters.peers.server import PeerServer

NS = {"csw": "http://www.opengis.net/cat/csw/2.0.2", "gmd": GMD,
      "ows": "http://www.opengis.net/ows"}


@pytest.fixture
def catalogue() -> Iterator[tuple[PeerServer, list[dict[str, Any]]]]:
    records = generate_catalogue(30)
    with PeerServer(csw_routes(records)) as server:
        yield server, records


def _get(server: PeerServer, **params: Any) -> etree._Element:
    response = requests.get(server.url_for(CSW_PATH), params={
        "service": "CSW", "version": "2.0.2", "request": "GetRecords",
        "outputSchema": GMD, "elementSetName": "full", **params}, timeout=10)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def test_deterministic_and_unique() -> None:
    assert json.dumps(generate_catalogue(40, seed=3)) == json.dumps(generate_catalogue(40, 3))
    assert json.dumps(generate_catalogue(40, seed=3)) != json.dumps(generate_catalogue(40, 4))
    records = generate_catalogue(40)
    assert len({r["identifier"] for r in records}) == 40
    assert {r["hierarchy"] for r in records} == {"dataset", "series", "service"}
    assert {r["territory"] for r in records} == {"uri", "code", "keyword", "none"}


def test_records_read_as_iso_19139() -> None:
    for record in generate_catalogue(12):
        parsed = MD_Metadata(etree.fromstring(render_record(record).encode("utf-8")))
        assert parsed.identifier == record["identifier"]
        assert parsed.hierarchy == record["hierarchy"]
        assert parsed.identification[0].title == record["title"]


def test_pages_by_start_position(catalogue) -> None:
    server, records = catalogue
    pages, start = [], 1
    while start:
        results = _get(server, startPosition=start, maxRecords=7).find("csw:SearchResults", NS)
        assert results.get("numberOfRecordsMatched") == "30"
        pages.append([e.findtext("gmd:fileIdentifier/*", namespaces=NS) for e in results])
        assert results.get("numberOfRecordsReturned") == str(len(pages[-1]))
        start = int(results.get("nextRecord"))
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    assert [i for page in pages for i in page] == [r["identifier"] for r in records]


def test_the_catalogue_follows_its_records(catalogue) -> None:
    server, records = catalogue
    records[:] = without_record(records, records[0]["identifier"])
    results = _get(server, maxRecords=100).find("csw:SearchResults", NS)
    assert results.get("numberOfRecordsMatched") == "29"
    assert results.get("nextRecord") == "0"


def test_a_looping_catalogue() -> None:
    with PeerServer(csw_routes(generate_catalogue(30), loop_from=11)) as server:
        results = _get(server, startPosition=11, maxRecords=10).find("csw:SearchResults", NS)
    assert results.get("nextRecord") == "11"


def test_constraint_and_exception_reports(catalogue) -> None:
    server, records = catalogue
    chosen = records[0]["organisation"]
    results = _get(server, constraintLanguage="CQL_TEXT",
                   constraint=f"OrganisationName = '{chosen}'").find("csw:SearchResults", NS)
    assert int(results.get("numberOfRecordsMatched")) == sum(
        r["organisation"] == chosen for r in records)
    assert _get(server, outputSchema="http://www.opengis.net/cat/csw/2.0.2").tag == \
        f"{{{NS['ows']}}}ExceptionReport"
    assert _get(server, request="GetCapabilities").find(
        "ows:Exception", NS).get("exceptionCode") == "OperationNotSupported"


def test_get_record_by_id_and_the_record_page(catalogue) -> None:
    server, records = catalogue
    wanted = records[5]["identifier"]
    found = _get(server, request="GetRecordById", id=wanted)
    assert found.findtext("gmd:MD_Metadata/gmd:fileIdentifier/*", namespaces=NS) == wanted
    page = requests.get(server.url_for(CSW_PATH.replace("/csw", "/catalog.search")), timeout=10)
    assert page.status_code == 200 and records[5]["title"] in page.text
