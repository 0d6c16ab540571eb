"""CSW fixtures: hand-written ISO 19139 records, and catalogues that serve them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ckanext.grandest_harvesters.peers import csw as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer, Route

RECORDS = Path(__file__).parent / "records"


def record_xml(name: str) -> str:
    """``records/<name>.xml`` as a bare element (no declaration, no comment)."""
    return etree.tostring(etree.parse(RECORDS / f"{name}.xml").getroot(), encoding="unicode")


def static_catalogue(records_xml: list[str], **envelope: int) -> list[Route]:
    """A CSW endpoint at ``fixture.CSW_PATH`` answering every request with one page."""
    body = fixture.getrecords_document(records_xml, **envelope).encode("utf-8")
    return [Route(fixture.CSW_PATH,
                  lambda _request: (200, {"Content-Type": "application/xml"}, body))]


@pytest.fixture
def generated():
    """A generated catalogue of 24 records (2 services), served at ``peer.csw_url``."""
    records = fixture.generate_catalogue(24)
    with PeerServer(fixture.csw_routes(records)) as peer:
        peer.records = records
        peer.csw_url = peer.url_for(fixture.CSW_PATH)
        yield peer
