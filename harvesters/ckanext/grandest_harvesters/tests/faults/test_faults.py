"""A faulty source never breaks a job nor loses a dataset: one test per fault.

Each test harvests a healthy legacy catalogue, then harvests it again while the peer
misbehaves: the job finishes, the fault is reported in readable French, the datasets
already there are all kept, and nothing is duplicated.
"""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerServer

CATALOGUE = "/dataserver/CRAL/catalog/Source"


@pytest.fixture
def harvested(make_source, run_harvest):
    entries = fixture.generate_catalogue(30, seed=4)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        source = make_source(peer.url, "legacy_alsace")
        first = run_harvest(source)
        yield peer, source, entries, first.stats["added"]


def _datasets() -> list[str]:
    return [name for (name,) in model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset", model.Package.state == "active")]


@pytest.mark.ckan_config("ckanext.grandest_harvesters.timeout", 1)
@pytest.mark.ckan_config("ckanext.grandest_harvesters.max_bytes", 2 * 1024 * 1024)
@pytest.mark.parametrize(("fault", "reported"), [
    (Fault.http_error(500), "Erreur HTTP 500 du serveur"),
    (Fault.http_error(404), "Erreur HTTP 404"),
    (Fault.delay(3), "Délai dépassé"),
    (Fault.reset(keep_bytes=200), "Connexion interrompue pendant la lecture"),
    (Fault.truncated(keep_bytes=300), "Catalogue OData illisible"),
    (Fault.oversize(3 * 1024 * 1024), "Réponse trop volumineuse"),
    (Fault.oversize(3 * 1024 * 1024, chunked=True), "Réponse trop volumineuse (plus de"),
    (Fault.redirect("http://10.0.0.1/catalogue"), "Adresse refusée : 10.0.0.1"),
    (Fault.redirect("http://169.254.169.254/latest/meta-data/"), "adresse interne"),
    (Fault.invalid_xml(), "Catalogue OData illisible"),
], ids=["http-500", "http-404", "timeout", "reset-mid-body", "truncated-json", "oversize",
        "oversize-chunked", "redirect-private", "redirect-link-local", "not-json"])
def test_a_faulty_catalogue_keeps_every_dataset(harvested, run_harvest, fault, reported):
    peer, source, _, imported = harvested
    before = sorted(_datasets())
    assert len(before) == imported

    peer.set_fault(CATALOGUE, fault)
    faulty = run_harvest(source)

    assert faulty.job["status"] == "Finished"
    (error,) = faulty.gather_errors
    assert "La source n'a pas pu être lue entièrement" in error
    assert reported in error
    assert sorted(_datasets()) == before                     # nothing lost, nothing added


def test_wrong_declared_encoding_keeps_the_accents(make_source, run_harvest):
    entries = fixture.generate_catalogue(12, seed=9)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        peer.set_fault(CATALOGUE, Fault.wrong_encoding(declared="utf-8", actual="latin-1"))
        run = run_harvest(make_source(peer.url, "legacy_alsace"))
    assert run.job["status"] == "Finished" and run.stats["added"] > 0
    titles = [d["title"] for d in call_action("package_search", rows=50)["results"]]
    assert any(c in "".join(titles) for c in "éèàç")
    assert "\ufffd" not in "".join(titles)


def test_duplicate_ids_in_one_page_are_imported_once(make_source, run_harvest):
    entries = fixture.generate_catalogue(12, seed=9)
    public = [e for e in entries if e.get("privacy") == "PUBLIC"
              and e["descriptions"]["results"][0].get("title")]
    doubled = [*entries, public[0]]
    with PeerServer(fixture.legacy_alsace_routes(doubled)) as peer:
        run = run_harvest(make_source(peer.url, "legacy_alsace"))
    assert any(f"l'enregistrement {public[0]['id']}" in e for e in run.gather_errors)
    names = _datasets()
    assert len(names) == len(set(names)) == run.stats["added"]
