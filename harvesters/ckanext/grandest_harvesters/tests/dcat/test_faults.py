"""A DCAT source that misbehaves never runs forever, never makes the portal read a file
or reach a server, and never loses a dataset: one test per fault.

Each test harvests a healthy generated catalogue (3 pages), then harvests it again while
the peer misbehaves: the job finishes, the fault is reported, every dataset already there
is kept (an incomplete listing withdraws nothing), and nothing is added.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import dcat as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerServer, text_response

PATH = "/catalog.rdf"


def _datasets() -> list[str]:
    return sorted(name for (name,) in model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset", model.Package.state == "active"))


@pytest.fixture
def harvested(make_source, run_harvest):
    datasets = [d for d in fixture.generate_catalogue(15, seed=8) if d["title"]]
    with PeerServer(fixture.dcat_routes(datasets, path=PATH, syntax="xml",
                                        page_size=5)) as peer:
        source = make_source(f"{peer.url}{PATH}?page=1", "grandest_dcat")
        first = run_harvest(source)
        assert first.stats["added"] == len(datasets)
        peer.datasets = datasets
        yield peer, source


@pytest.fixture
def witness():
    """A server that only records whether anybody came."""
    with PeerServer({"/secret": lambda request: text_response(200, "secret\n")}) as peer:
        yield peer


def _rerun_with(peer, source, run_harvest, **paging):
    peer.replace_routes(fixture.dcat_routes(peer.datasets, path=PATH, syntax="xml",
                                            page_size=5, **paging))
    before = _datasets()
    run = run_harvest(source)
    assert run.job["status"] == "Finished"
    assert run.stats.get("deleted", 0) == 0 and run.stats.get("added", 0) == 0
    assert _datasets() == before                     # nothing lost, nothing added
    (error,) = run.gather_errors
    assert "La source n'a pas pu être lue entièrement" in error
    return run, error


def test_a_next_page_looping_back_stops_the_listing(harvested, run_harvest):
    peer, source = harvested
    run, error = _rerun_with(peer, source, run_harvest, loop=True)
    assert f"{peer.url}{PATH}?page=1" in error
    assert [s.query_string for s in peer.seen if s.path == PATH][-3:] == \
        ["page=1", "page=2", "page=3"]                 # page 1 was not read again
    assert run.stats == {"not modified": len(peer.datasets), "errored": 1}


def test_a_page_repeating_itself_stops_the_listing(harvested, run_harvest):
    peer, source = harvested
    peer.reset_counts()
    run, error = _rerun_with(peer, source, run_harvest, repeat=True)
    assert f"{peer.url}{PATH}?page=2" in error and f"{peer.url}{PATH}?page=1" in error
    assert peer.count(PATH) == 2                     # the repeated page ends the listing
    assert run.stats == {"not modified": 5, "errored": 1}


@pytest.mark.ckan_config("ckanext.grandest_harvesters.dcat.max_pages", 2)
def test_paging_stops_at_the_page_cap(harvested, run_harvest):
    peer, source = harvested
    peer.reset_counts()
    _, error = _rerun_with(peer, source, run_harvest)
    assert "2" in error and f"{peer.url}{PATH}?page=3" in error
    assert peer.count(PATH) == 2


def test_invalid_xml_is_reported_with_its_line(harvested, run_harvest):
    peer, source = harvested
    peer.set_fault(PATH, Fault.invalid_xml())
    _, error = _rerun_with(peer, source, run_harvest)
    # </rdf:RDF> closes the document while dcat:Catalog is open: expat's words, placed.
    assert tk._("Invalid XML at {url}, line {line}, column {column}: {reason}").format(
        url=f"{peer.url}{PATH}?page=1", line=10, column=3, reason="mismatched tag") in error


@pytest.mark.parametrize("target", ["file:///etc/passwd", "witness"])
def test_external_entities_are_never_resolved(harvested, run_harvest, witness, target):
    peer, source = harvested
    if target == "witness":
        target = witness.url_for("/secret")
    peer.set_fault(PATH, Fault.xxe(target=target))
    _, error = _rerun_with(peer, source, run_harvest)
    assert "DOCTYPE" in error and f"{peer.url}{PATH}?page=1" in error
    assert witness.count() == 0                      # the other server was never reached
    found = call_action("package_search", q="xxe OR root", rows=0)["count"]
    assert found == 0
