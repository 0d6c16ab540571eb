"""Reading partner documents safely: syntax recognition, XML declarations, JSON-LD contexts
that would be fetched, DCAT-US, documents that are not DCAT. The listing is read through
the harvester (``gather_records``) from local peers; nothing is written."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckanext.harvest import queue

from ckanext.grandest_harvesters.fetching import FetchError, Response
from ckanext.grandest_harvesters.peers import dcat as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer, text_response
from ckanext.grandest_harvesters.rdf_documents import syntax_of

pytestmark = pytest.mark.usefixtures("with_request_context")

TURTLE_DATASET = """<http://example.org/ds/1> a <http://www.w3.org/ns/dcat#Dataset> ;
    <http://purl.org/dc/terms/title> "Un jeu de données" .
"""


def _records(url: str, config: dict | None = None) -> list:
    return list(queue.get_harvester("grandest_dcat").gather_records(url, config or {}))


@pytest.fixture
def witness():
    """A server that only records whether anybody came."""
    with PeerServer({"/context.jsonld": lambda r: text_response(200, "{}", "application/json"),
                     "/secret": lambda r: text_response(200, "secret\n")}) as peer:
        yield peer


def _serve(body: str | bytes, content_type: str, path: str = "/catalogue") -> PeerServer:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return PeerServer({path: lambda request: (200, {"Content-Type": content_type}, data)})


def _refusal(body: str | bytes, content_type: str) -> tuple[str, str]:
    """The URL of the served document and the reason its listing failed."""
    with _serve(body, content_type) as peer:
        url = peer.url + "/catalogue"
        with pytest.raises(FetchError) as refused:
            _records(url)
    return url, str(refused.value)


@pytest.mark.parametrize(("body", "url", "expected"), [
    (b"<?xml version='1.0'?><rdf:RDF/>", "http://x/export", "xml"),
    (b"\xef\xbb\xbf<?xml version='1.0'?><rdf:RDF/>", "http://x/export", "xml"),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "http://x/e", "xml"),
    (b"<http://x/a> <http://x/b> <http://x/c> .", "http://x/export", "turtle"),
    (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .", "http://x/export", "turtle"),
    (b'[{"@id": "http://x/a"}]', "http://x/export", "json-ld"),
    (b"anything", "http://x/catalogue.ttl", "turtle"),
    (b"anything", "http://x/catalogue.rdf?page=2", "xml"),
], ids=["xml-declaration", "xml-with-bom", "xml-element", "n-triples", "turtle-prefix", "json",
        "ttl-extension", "rdf-extension"])
def test_the_syntax_is_recognised_without_a_media_type(body, url, expected):
    assert syntax_of(Response(url, 200, "application/octet-stream", body)) == expected


def test_a_web_page_is_not_an_rdf_document():
    url, error = _refusal("<html><body>Catalogue</body></html>", "text/html; charset=utf-8")
    assert url in error and "text/html" in error


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE rdf:RDF SYSTEM "{witness}/secret">',
    '<!DOCTYPE rdf:RDF [<!ENTITY % remote SYSTEM "{witness}/secret"> %remote;]>',
], ids=["internal-entities", "external-dtd", "parameter-entity"])
def test_any_doctype_is_refused_before_parsing(witness, declaration):
    body = (f'<?xml version="1.0"?>\n{declaration.format(witness=witness.url)}\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    url, error = _refusal(body, "application/rdf+xml")
    assert "DOCTYPE" in error
    assert url in error
    assert witness.count() == 0


@pytest.mark.parametrize("where", ["top", "scoped", "import"])
def test_a_remote_json_ld_context_is_never_fetched(witness, where):
    context = witness.url_for("/context.jsonld")
    node = {"@id": "http://example.org/ds/1",
            "@type": ["http://www.w3.org/ns/dcat#Dataset"],
            "http://purl.org/dc/terms/title": [{"@value": "Un jeu de données"}]}
    document = {
        "top": {"@context": context, **node},
        "scoped": {"@context": {"publisher": {"@id": "http://purl.org/dc/terms/publisher",
                                              "@context": context}}, **node},
        "import": {"@context": {"@version": 1.1, "@import": context}, **node},
    }[where]
    url, error = _refusal(json.dumps(document), "application/ld+json")
    assert url in error and context in error
    assert witness.count() == 0


def test_dcat_us_is_read_with_the_local_context(witness):
    document = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "dataset": [
            {"title": "Parkings de Colmar", "identifier": "colmar-parkings",
             "accessLevel": "public", "license": "https://spdx.org/licenses/etalab-2.0",
             "spatial": "7.30,48.05,7.40,48.11",
             "distribution": [{"downloadURL": "https://example.org/p.csv",
                               "mediaType": "text/csv"}]},
            {"title": "Données internes", "identifier": "interne",
             "accessLevel": "non-public"},
        ],
    }
    with _serve(json.dumps(document), "application/json") as peer:
        (record,) = _records(peer.url + "/catalogue")
    assert record.guid == "colmar-parkings"       # a blank node: keyed on its identifier
    dataset = queue.get_harvester("grandest_dcat").map_record(record.content, [])
    assert dataset["license_id"] == "lov2"
    assert dataset["bbox"] == "7.3,48.05,7.4,48.11"
    assert dataset["resources"] == [{"name": "p.csv", "url": "https://example.org/p.csv",
                                     "format": "CSV", "mimetype": "text/csv"}]


def test_json_that_is_not_json_ld_is_refused():
    url, error = _refusal(json.dumps({"results": [{"title": "x"}]}), "application/json")
    assert error == tk._(
        "The JSON document at {url} is not JSON-LD (no @context, @id, @type nor @graph): it "
        "is not a DCAT RDF catalogue").format(url=url)


def test_rdf_without_dcat_is_refused():
    url, error = _refusal("<http://x/a> <http://x/b> <http://x/c> .", "text/turtle")
    assert error == tk._("The document at {url} holds no DCAT catalogue nor dataset").format(
        url=url)


def test_broken_turtle_is_reported():
    url, error = _refusal(TURTLE_DATASET.replace(" .", ""), "text/turtle")
    assert url in error and "Turtle" in error


def test_a_record_keeps_no_blank_node_id():
    """Blank-node ids change at every parse: two readings give the same records."""
    datasets = fixture.generate_catalogue(8)
    with PeerServer(fixture.dcat_routes(datasets, path="/c.ttl")) as peer:
        first = _records(peer.url + "/c.ttl")
        second = _records(peer.url + "/c.ttl")
    assert [r.digest() for r in first] == [r.digest() for r in second]
