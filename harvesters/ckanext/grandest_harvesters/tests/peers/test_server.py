"""The peer server: routing, request counts, and every fault as a client sees it."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
import xml.sax
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ckanext.grandest_harvesters.peers.server import (
    Fault,
    PeerRequest,
    PeerServer,
    Response,
    Route,
    mount,
)

TITLE = "Qualité de l'air à Sélestat — mesures 2014"
PAYLOAD = {"titre": TITLE, "valeurs": list(range(3000))}
JSON_BODY = json.dumps(PAYLOAD, ensure_ascii=False).encode("utf-8")
CAP = 10 * 1024 * 1024  # what a harvester would cap a response at


def _json(_request: PeerRequest) -> Response:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, JSON_BODY


def _echo(request: PeerRequest) -> Response:
    body = {"path": request.path, "route_path": request.route_path, "params": request.params,
            "query": request.query, "mount_url": request.mount_url}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _streamed(_request: PeerRequest) -> Response:
    return 200, {"Content-Type": "text/plain"}, (b"ligne %d\n" % i for i in range(1000))


@pytest.fixture
def peer() -> Iterator[PeerServer]:
    routes = [
        Route("/catalogue.json", _json),
        Route("/stream", _streamed),
        Route("/prefix/", _echo, match="prefix"),
        Route(r"/items/(?P<item>[^/]+)", _echo, match="regex"),
        *mount("/site", [Route("/echo", _echo)]),
    ]
    with PeerServer(routes) as server:
        yield server


def test_serves_on_loopback_with_a_free_port(peer: PeerServer) -> None:
    assert peer.url.startswith("http://127.0.0.1:")
    assert peer.port > 0
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert response.status_code == 200
    assert response.json() == PAYLOAD


def test_given_port_and_mapping_routes() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PeerServer({"/x": _json}, port=port) as server:
        assert server.port == port
        assert requests.get(f"http://127.0.0.1:{port}/x", timeout=5).json() == PAYLOAD


def test_routing_exact_prefix_regex_and_mount(peer: PeerServer) -> None:
    got = requests.get(peer.url_for("/items/cral-000042?a=1&a=2"), timeout=5).json()
    assert got["params"] == {"item": "cral-000042"}
    assert got["query"] == {"a": ["1", "2"]}
    assert requests.get(peer.url_for("/prefix/any/depth"), timeout=5).status_code == 200
    mounted = requests.get(peer.url_for("/site/echo"), timeout=5).json()
    assert mounted["route_path"] == "/echo"
    assert mounted["mount_url"] == peer.url + "/site"
    assert requests.get(peer.url_for("/echo"), timeout=5).status_code == 404
    assert requests.get(peer.url_for("/catalogue.json/x"), timeout=5).status_code == 404
    assert requests.post(peer.url_for("/catalogue.json"), timeout=5).status_code == 405


def test_head_and_streamed_bodies(peer: PeerServer) -> None:
    head = requests.head(peer.url_for("/catalogue.json"), timeout=5)
    assert head.headers["Content-Length"] == str(len(JSON_BODY))
    assert head.content == b""
    streamed = requests.get(peer.url_for("/stream"), timeout=5)
    assert streamed.headers["Transfer-Encoding"] == "chunked"
    assert streamed.text.count("\n") == 1000


def test_counts_requests_per_path(peer: PeerServer) -> None:
    for _ in range(3):
        requests.get(peer.url_for("/catalogue.json?page=1"), timeout=5)
    requests.get(peer.url_for("/nowhere"), timeout=5)
    assert peer.count("/catalogue.json") == 3
    assert peer.count("/nowhere") == 1
    assert peer.count() == 4
    assert peer.seen[0].query_string == "page=1"
    peer.reset_counts()
    assert peer.count() == 0


# --- faults ----------------------------------------------------------------------------


def test_http_500_switched_at_runtime(peer: PeerServer) -> None:
    url = peer.url_for("/catalogue.json")
    assert requests.get(url, timeout=5).status_code == 200
    peer.set_fault("/catalogue.json", Fault.http_error(500))
    assert requests.get(url, timeout=5).status_code == 500
    assert requests.get(url, timeout=5).status_code == 500
    peer.clear_fault("/catalogue.json")
    assert requests.get(url, timeout=5).status_code == 200
    assert peer.count("/catalogue.json") == 4


def test_a_fault_for_the_next_request_only(peer: PeerServer) -> None:
    url = peer.url_for("/catalogue.json")
    peer.set_fault("/catalogue.json", Fault.http_error(503, times=1))
    assert requests.get(url, timeout=5).status_code == 503
    assert requests.get(url, timeout=5).status_code == 200


def test_a_fault_restricted_to_a_query_and_a_prefix(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.http_error(500), query={"page": "3"})
    assert requests.get(peer.url_for("/catalogue.json?page=2"), timeout=5).status_code == 200
    assert requests.get(peer.url_for("/catalogue.json?page=3"), timeout=5).status_code == 500
    peer.set_fault("/items/", Fault.http_error(502), match="prefix")
    assert requests.get(peer.url_for("/items/a"), timeout=5).status_code == 502
    peer.clear_faults()
    assert requests.get(peer.url_for("/items/a"), timeout=5).status_code == 200


def test_a_fault_declared_on_the_route() -> None:
    with PeerServer([Route("/x", _json, fault=Fault.http_error(500))]) as server:
        assert requests.get(server.url_for("/x"), timeout=5).status_code == 500
        server.set_fault("/x", None)
        assert requests.get(server.url_for("/x"), timeout=5).status_code == 200


def test_delay_longer_than_the_client_timeout(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.delay(3.0))
    with pytest.raises(requests.Timeout):
        requests.get(peer.url_for("/catalogue.json"), timeout=0.3)
    peer.clear_faults()
    assert requests.get(peer.url_for("/catalogue.json"), timeout=5).status_code == 200


def test_connection_reset_in_the_middle_of_the_body(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.reset())
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(peer.url_for("/catalogue.json"), timeout=5)


def test_reset_sends_headers_and_part_of_the_body_then_rst(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.reset(keep_bytes=1000))
    received = b""
    with socket.create_connection(("127.0.0.1", peer.port), timeout=5) as conn:
        conn.sendall(b"GET /catalogue.json HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):  # read until the reset
            while chunk := conn.recv(65536):
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"Content-Length: {len(JSON_BODY)}".encode() in head
    assert body == JSON_BODY[:1000]


def test_truncated_json(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.truncated())
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert len(response.content) == len(JSON_BODY) // 2
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("document", ["rdf", "csw"])
def test_invalid_xml(peer: PeerServer, document: str) -> None:
    peer.set_fault("/catalogue.json", Fault.invalid_xml(document))
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert response.status_code == 200
    assert "xml" in response.headers["Content-Type"]
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)


def _expand_external_entities(body: bytes) -> str:
    """What a careless parser (external general entities on) would read."""
    texts: list[str] = []

    class Collect(xml.sax.ContentHandler):
        def characters(self, content: str) -> None:
            texts.append(content)

    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    parser.setContentHandler(Collect())
    parser.feed(body)
    parser.close()
    return "".join(texts)


@pytest.mark.parametrize("document", ["rdf", "csw"])
def test_xxe_payload(peer: PeerServer, document: str, tmp_path: Path) -> None:
    peer.set_fault("/catalogue.json", Fault.xxe(document=document))
    default = requests.get(peer.url_for("/catalogue.json"), timeout=5).content
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in default
    assert b"&xxe;" in default

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-GRAND-EST")
    peer.set_fault("/catalogue.json", Fault.xxe(secret.as_uri(), document=document))
    body = requests.get(peer.url_for("/catalogue.json"), timeout=5).content
    assert "SECRET-GRAND-EST" in _expand_external_entities(body)  # the payload is live
    with pytest.raises(ET.ParseError, match="undefined entity"):  # a safe parser refuses it
        ET.fromstring(body)


def test_oversize_with_a_declared_length(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.oversize(60 * 1024 * 1024))
    with requests.get(peer.url_for("/catalogue.json"), timeout=5, stream=True) as response:
        assert int(response.headers["Content-Length"]) == 60 * 1024 * 1024 > CAP
        read = 0
        for chunk in response.iter_content(1024 * 1024):
            read += len(chunk)
            if read > CAP:
                break
    assert read > CAP
    peer.clear_faults()
    assert requests.get(peer.url_for("/catalogue.json"), timeout=5).json() == PAYLOAD


def test_oversize_streamed_without_length(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.oversize(60 * 1024 * 1024, chunked=True))
    with requests.get(peer.url_for("/catalogue.json"), timeout=5, stream=True) as response:
        assert "Content-Length" not in response.headers
        assert response.headers["Transfer-Encoding"] == "chunked"
        read = 0
        for chunk in response.iter_content(1024 * 1024):
            read += len(chunk)
            if read > CAP:
                break
    assert read > CAP


def test_oversize_body_is_exact_valid_json(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.oversize(300_000))
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert len(response.content) == 300_000
    assert set(response.json()) == {"padding"}


@pytest.mark.parametrize("location", ["http://10.0.0.1/", "http://169.254.169.254/latest/"])
def test_redirect_to_a_private_address(peer: PeerServer, location: str) -> None:
    peer.set_fault("/catalogue.json", Fault.redirect(location))
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_declared_utf8_sent_latin1(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.wrong_encoding())
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert json.loads(response.content.decode("latin-1"))["titre"] == TITLE.replace("—", "?")


def test_declared_latin1_sent_utf8(peer: PeerServer) -> None:
    peer.set_fault("/catalogue.json", Fault.wrong_encoding(declared="iso-8859-1",
                                                           actual="utf-8"))
    response = requests.get(peer.url_for("/catalogue.json"), timeout=5)
    assert response.encoding.lower() == "iso-8859-1"
    assert response.content == JSON_BODY
    assert "SÃ©lestat" in response.text  # mojibake for whoever trusts the header


def test_stop_closes_kept_alive_connections() -> None:
    server = PeerServer({"/x": _json}).start()
    url = server.url_for("/x")
    with requests.Session() as session:
        assert session.get(url, timeout=5).status_code == 200
        server.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(url, timeout=5)
