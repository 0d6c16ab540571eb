"""XML that must not hurt: external entities (a file, an address of the portal's network),
invalid XML, a wrong declared encoding. The job finishes with a readable error and keeps
every dataset."""

from __future__ import annotations

import pytest
from ckan import model
from lxml import etree

from ckanext.grandest_harvesters.csw import SAFE_PARSER
from ckanext.grandest_harvesters.peers import csw as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerServer, Route, text_response

INCOMPLETE = "La source n'a pas pu être lue entièrement"
ENTITY_TARGET = "/internal/secret"


@pytest.fixture
def harvested(make_source, run_harvest):
    """A catalogue harvested once, and a route that records whether anyone fetched it."""
    records = fixture.generate_catalogue(12, seed=3)
    routes = [*fixture.csw_routes(records),
              Route(ENTITY_TARGET, lambda _r: text_response(200, "secret du réseau interne"))]
    with PeerServer(routes) as peer:
        source = make_source(peer.url_for(fixture.CSW_PATH), "grandest_csw")
        first = run_harvest(source)
        yield peer, source, first.stats["added"]


def _datasets() -> list[tuple[str, str]]:
    return sorted(model.Session.query(model.Package.name, model.Package.notes).filter(
        model.Package.type == "dataset", model.Package.state == "active"))


@pytest.mark.parametrize("target", ["file:///etc/passwd", "peer"])
def test_external_entities_are_refused(harvested, run_harvest, target):
    peer, source, imported = harvested
    target = peer.url_for(ENTITY_TARGET) if target == "peer" else target
    before = _datasets()
    assert len(before) == imported > 0

    peer.set_fault(fixture.CSW_PATH, Fault.xxe(target, document="csw"))
    run = run_harvest(source)

    assert run.job["status"] == "Finished"
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE) and "DOCTYPE" in error
    assert peer.count(ENTITY_TARGET) == 0
    assert _datasets() == before                 # nothing lost, nothing added
    assert not any("root:" in (notes or "") for _, notes in _datasets())


@pytest.mark.parametrize("target", ["file:///etc/passwd", "peer"])
def test_the_parser_itself_expands_no_entity(harvested, target):
    """Even before the refusal, the parser reads the entity as a bare reference."""
    peer, _, _ = harvested
    target = peer.url_for(ENTITY_TARGET) if target == "peer" else target
    root = etree.fromstring(Fault.xxe(target, document="csw").body(), SAFE_PARSER)
    text = "".join(root.itertext())
    assert "root:" not in text and "secret" not in text
    assert peer.count(ENTITY_TARGET) == 0


def test_invalid_xml_is_a_readable_gather_error(harvested, run_harvest):
    peer, source, _ = harvested
    before = _datasets()
    peer.set_fault(fixture.CSW_PATH, Fault.invalid_xml(document="csw"))
    run = run_harvest(source)
    assert run.job["status"] == "Finished"
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert peer.url_for(fixture.CSW_PATH) in error and "line 5" in error
    assert run.stats.get("deleted", 0) == 0
    assert _datasets() == before


def test_a_wrong_declared_encoding_keeps_the_accents(make_source, run_harvest):
    records = fixture.generate_catalogue(12, seed=3)
    with PeerServer(fixture.csw_routes(records)) as peer:
        peer.set_fault(fixture.CSW_PATH, Fault.wrong_encoding(declared="utf-8",
                                                              actual="latin-1"))
        run = run_harvest(make_source(peer.url_for(fixture.CSW_PATH), "grandest_csw"))
    assert run.gather_errors == []
    titles = {title for (title,) in model.Session.query(model.Package.title)
              .filter(model.Package.type == "dataset")}
    assert titles == {r["title"] for r in records if r["hierarchy"] != "service"}
    assert any(c in "".join(titles) for c in "éèâ")
