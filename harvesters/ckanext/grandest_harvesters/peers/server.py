"""A small threaded HTTP server that plays a harvester's remote peer, on 127.0.0.1.

Standard library only. Routes map a path (exact, prefix or regex) to a handler; a handler
takes a :class:`PeerRequest` and returns ``(status, headers, body)`` where ``body`` is
``bytes`` or an iterable of ``bytes`` (streamed). Faults (:class:`Fault`) are declared per
path and can be switched at runtime, between two harvests of the same test::

    with PeerServer([Route("/catalog", catalogue)]) as peer:
        harvest(peer.url_for("/catalog"))
        peer.set_fault("/catalog", Fault.http_error(500))
        harvest(peer.url_for("/catalog"))
        assert peer.count("/catalog") == 2

The server counts the requests it receives per path (``hits``, ``count()``; faulty ones
included) and keeps them in order (``seen``). It only ever *sends* what a fault asks for:
a redirect to a private address is a ``Location`` header, nobody connects there.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "Body",
    "Fault",
    "Handler",
    "PeerRequest",
    "PeerServer",
    "Response",
    "Route",
    "Seen",
    "mount",
    "text_response",
]

log = logging.getLogger(__name__)

Body = bytes | Iterable[bytes]
Response = tuple[int, Mapping[str, str], Body]
MatchKind = Literal["exact", "prefix", "regex"]

# Errors a client causes by going away while we write (timeouts, size caps, resets).
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)

_CHUNK = 64 * 1024


@dataclass
class PeerRequest:
    """What a handler sees of one request."""

    method: str
    path: str  # full, percent-decoded path, without the query string
    route_path: str  # the path below the route's mount prefix
    query: dict[str, list[str]]
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    base_url: str  # "http://127.0.0.1:PORT", as the client addressed us
    mount: str = ""
    params: dict[str, str] = field(default_factory=dict)  # named regex groups

    @property
    def mount_url(self) -> str:
        """Absolute URL of the route's mount point (base URL + prefix), no trailing slash."""
        return self.base_url + self.mount

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter (exact name), or ``default``."""
        values = self.query.get(name)
        return values[0] if values else default

    def arg_ci(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter whose name matches case-insensitively (OGC KVP)."""
        lowered = name.lower()
        for key, values in self.query.items():
            if key.lower() == lowered and values:
                return values[0]
        return default


Handler = Callable[[PeerRequest], Response]


@dataclass
class Route:
    """A path pattern and its handler.

    ``match``: ``"exact"`` (the default), ``"prefix"`` (``path`` is a prefix of the request
    path) or ``"regex"`` (``path`` is a regular expression matched in full against the path
    below ``mount``; named groups go to ``PeerRequest.params``).
    """

    path: str
    handler: Handler
    match: MatchKind = "exact"
    methods: tuple[str, ...] = ("GET", "HEAD")
    mount: str = ""
    fault: Fault | None = None  # installed when the server starts; switchable at runtime

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path) if self.match == "regex" else None

    @property
    def full_path(self) -> str:
        return self.mount + self.path

    def resolve(self, path: str) -> dict[str, str] | None:
        """The regex groups (``{}`` for exact/prefix) if ``path`` is this route's, else None."""
        if self.mount and not path.startswith(self.mount):
            return None
        below = path[len(self.mount):]
        if self.match == "exact":
            return {} if below == self.path else None
        if self.match == "prefix":
            return {} if below.startswith(self.path) else None
        found = self._regex.fullmatch(below) if self._regex else None
        return found.groupdict() if found else None


def mount(prefix: str, routes: Iterable[Route]) -> list[Route]:
    """The same routes served below ``prefix`` (e.g. ``"/legacy"``); handlers see the prefix
    in ``PeerRequest.mount`` and build absolute links with ``PeerRequest.mount_url``."""
    prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
    return [replace(r, mount=prefix + r.mount) for r in routes]


def text_response(status: int, text: str, content_type: str = "text/plain") -> Response:
    """A small UTF-8 text response."""
    return status, {"Content-Type": f"{content_type}; charset=utf-8"}, text.encode("utf-8")


# --------------------------------------------------------------------------------------
# Faults


FaultKind = Literal[
    "http_error",
    "delay",
    "reset",
    "truncate",
    "invalid_xml",
    "xxe",
    "oversize",
    "redirect",
    "wrong_encoding",
]

# Faults that replace the response without calling the route's handler.
_STANDALONE_FAULTS = {"http_error", "invalid_xml", "xxe", "oversize", "redirect"}

_RDF_NS = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/"'
)
_CSW_NS = (
    'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
    'xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"'
)

_INVALID_XML = {
    # The dcat:Catalog element is never closed: not well-formed.
    "rdf": f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF {_RDF_NS}>
  <dcat:Catalog rdf:about="http://peer.invalid/catalogue">
    <dct:title>Catalogue interrompu</dct:title>
    <dcat:dataset>
      <dcat:Dataset rdf:about="http://peer.invalid/jeux/1">
        <dct:title>Jeu de données sans fin</dct:title>
      </dcat:Dataset>
    </dcat:dataset>
</rdf:RDF>
""",
    "csw": f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecordsResponse {_CSW_NS}>
  <csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">
    <gmd:MD_Metadata>
      <gmd:fileIdentifier><gco:CharacterString>fiche-cassee</gmd:fileIdentifier>
    </gmd:MD_Metadata>
  </csw:SearchResults>
</csw:GetRecordsResponse>
""",
}

_XXE = {
    "rdf": """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY xxe SYSTEM "{target}">
]>
<rdf:RDF {ns}>
  <dcat:Catalog rdf:about="http://peer.invalid/catalogue">
    <dct:title>Catalogue piégé</dct:title>
    <dcat:dataset>
      <dcat:Dataset rdf:about="http://peer.invalid/jeux/xxe">
        <dct:identifier>xxe</dct:identifier>
        <dct:title>Entité externe</dct:title>
        <dct:description>&xxe;</dct:description>
      </dcat:Dataset>
    </dcat:dataset>
  </dcat:Catalog>
</rdf:RDF>
""",
    "csw": """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE csw:GetRecordsResponse [
  <!ENTITY xxe SYSTEM "{target}">
]>
<csw:GetRecordsResponse {ns}>
  <csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">
    <gmd:MD_Metadata>
      <gmd:fileIdentifier><gco:CharacterString>xxe</gco:CharacterString></gmd:fileIdentifier>
      <gmd:identificationInfo>
        <gmd:abstract><gco:CharacterString>&xxe;</gco:CharacterString></gmd:abstract>
      </gmd:identificationInfo>
    </gmd:MD_Metadata>
  </csw:SearchResults>
</csw:GetRecordsResponse>
""",
}


@dataclass(frozen=True)
class Fault:
    """A declarative description of how a response goes wrong. Build one with the class
    methods; ``times`` limits it to the next N matching requests (then served normally).
    """

    kind: FaultKind
    status: int = 500
    seconds: float = 0.0
    keep_bytes: int | None = None  # reset/truncate: body bytes sent (default: half)
    size: int = 0
    chunked: bool = False
    location: str = ""
    declared: str = "utf-8"
    actual: str = "latin-1"
    target: str = "file:///etc/passwd"
    document: Literal["rdf", "csw"] = "rdf"
    times: int | None = None

    @classmethod
    def http_error(cls, status: int = 500, *, times: int | None = None) -> Fault:
        """Answer ``status`` (500 by default) with a short text body."""
        return cls("http_error", status=status, times=times)

    @classmethod
    def delay(cls, seconds: float, *, times: int | None = None) -> Fault:
        """Wait ``seconds`` before answering normally (longer than the client's timeout)."""
        return cls("delay", seconds=seconds, times=times)

    @classmethod
    def reset(cls, keep_bytes: int | None = None, *, times: int | None = None) -> Fault:
        """Send the headers (full Content-Length) and part of the body, then an RST."""
        return cls("reset", keep_bytes=keep_bytes, times=times)

    @classmethod
    def truncated(cls, keep_bytes: int | None = None, *, times: int | None = None) -> Fault:
        """Send a clean response whose body is cut (Content-Length of the cut body)."""
        return cls("truncate", keep_bytes=keep_bytes, times=times)

    @classmethod
    def invalid_xml(
        cls, document: Literal["rdf", "csw"] = "rdf", *, times: int | None = None
    ) -> Fault:
        """Answer 200 with a not-well-formed XML document (RDF/XML or CSW shaped)."""
        return cls("invalid_xml", document=document, times=times)

    @classmethod
    def xxe(
        cls,
        target: str = "file:///etc/passwd",
        document: Literal["rdf", "csw"] = "rdf",
        *,
        times: int | None = None,
    ) -> Fault:
        """Answer 200 with XML declaring an external entity pointing at ``target``."""
        return cls("xxe", target=target, document=document, times=times)

    @classmethod
    def oversize(
        cls, size: int = 60 * 1024 * 1024, *, chunked: bool = False, times: int | None = None
    ) -> Fault:
        """Stream a valid JSON body of ``size`` bytes, generated on the fly. With
        ``chunked=True`` no Content-Length is declared (chunked transfer encoding)."""
        return cls("oversize", size=size, chunked=chunked, times=times)

    @classmethod
    def redirect(cls, location: str, status: int = 302, *, times: int | None = None) -> Fault:
        """Answer ``status`` with ``Location: location`` (only the header is sent)."""
        return cls("redirect", location=location, status=status, times=times)

    @classmethod
    def wrong_encoding(
        cls, declared: str = "utf-8", actual: str = "latin-1", *, times: int | None = None
    ) -> Fault:
        """Serve the normal body re-encoded in ``actual`` while Content-Type says
        ``charset=declared`` (utf-8 declared / latin-1 sent by default; swap for the reverse)."""
        return cls("wrong_encoding", declared=declared, actual=actual, times=times)

    def body(self) -> bytes:
        """The body of a standalone XML fault (``invalid_xml`` / ``xxe``)."""
        if self.kind == "invalid_xml":
            return _INVALID_XML[self.document].encode("utf-8")
        if self.kind == "xxe":
            ns = _RDF_NS if self.document == "rdf" else _CSW_NS
            return _XXE[self.document].format(target=self.target, ns=ns).encode("utf-8")
        raise ValueError(f"a {self.kind} fault has no fixed body")


@dataclass
class _FaultRule:
    path: str
    match: MatchKind
    query: Mapping[str, str] | None
    fault: Fault
    remaining: int | None

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path) if self.match == "regex" else None

    def applies(self, path: str, query: Mapping[str, list[str]]) -> bool:
        if self.match == "exact" and path != self.path:
            return False
        if self.match == "prefix" and not path.startswith(self.path):
            return False
        if self._regex is not None and not self._regex.fullmatch(path):
            return False
        return all(query.get(k, [None])[0] == v for k, v in (self.query or {}).items())


@dataclass(frozen=True)
class Seen:
    """One request as the server logged it."""

    method: str
    path: str
    query_string: str


# --------------------------------------------------------------------------------------
# The server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    peer: PeerServer

    def process_request(self, request: Any, client_address: Any) -> None:
        self.peer._track(request, add=True)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.peer._track(request, add=False)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("peer: connection error with %s", client_address, exc_info=True)


class PeerServer:
    """A threaded HTTP server on ``host`` (127.0.0.1) and ``port`` (0: a free one).

    ``routes``: :class:`Route` objects, or a mapping of exact paths to handlers.
    Use it as a context manager, or ``start()``/``stop()``; ``serve_until_signal()`` runs it
    in the foreground until SIGTERM/SIGINT (the demo process).
    """

    def __init__(
        self,
        routes: Iterable[Route] | Mapping[str, Handler] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self._routes: list[Route] = []
        self._faults: list[_FaultRule] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.hits: Counter[str] = Counter()  # requests received per path
        self.seen: list[Seen] = []  # every request received, in order
        self.add_routes(routes)

    # -- routes -------------------------------------------------------------------------

    def add_routes(self, routes: Iterable[Route] | Mapping[str, Handler]) -> None:
        """Add routes (also while running); the first matching route wins."""
        if isinstance(routes, Mapping):
            routes = [Route(path, handler) for path, handler in routes.items()]
        routes = list(routes)
        with self._lock:
            self._routes.extend(routes)
        for route in routes:
            if route.fault is not None:
                self.set_fault(
                    route.full_path if route.match != "regex" else _mounted_regex(route),
                    route.fault,
                    match=route.match,
                )

    def replace_routes(self, routes: Iterable[Route] | Mapping[str, Handler]) -> None:
        """Serve ``routes`` instead of the current ones (e.g. the source changed)."""
        with self._lock:
            self._routes = []
        self.add_routes(routes)

    def _resolve(self, path: str) -> tuple[Route | None, dict[str, str]]:
        with self._lock:
            routes = list(self._routes)
        for route in routes:
            params = route.resolve(path)
            if params is not None:
                return route, params
        return None, {}

    # -- faults -------------------------------------------------------------------------

    def set_fault(
        self,
        path: str,
        fault: Fault | None,
        *,
        match: MatchKind = "exact",
        query: Mapping[str, str] | None = None,
    ) -> None:
        """Make requests to ``path`` fail as ``fault`` says (``None`` removes the fault).

        ``path`` is the full request path (mount prefix included), a prefix, or a regex
        (see ``match``); ``query`` restricts the fault to requests carrying these parameter
        values (e.g. ``{"$skip": "200"}`` for one page). Replaces an earlier fault set with
        the same path, match and query.
        """
        frozen_query = dict(query) if query else None
        with self._lock:
            self._faults = [
                r for r in self._faults
                if (r.path, r.match, r.query) != (path, match, frozen_query)
            ]
            if fault is not None:
                self._faults.append(_FaultRule(path, match, frozen_query, fault, fault.times))

    def clear_fault(self, path: str) -> None:
        """Remove every fault set on ``path`` (whatever its match kind or query)."""
        with self._lock:
            self._faults = [r for r in self._faults if r.path != path]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str, query: Mapping[str, list[str]]) -> Fault | None:
        with self._lock:
            for rule in reversed(self._faults):  # the latest fault set wins
                if not rule.applies(path, query):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._faults.remove(rule)
                return rule.fault
        return None

    # -- request accounting -------------------------------------------------------------

    def count(self, path: str | None = None) -> int:
        """Requests received for ``path`` (all requests when None)."""
        with self._lock:
            return sum(self.hits.values()) if path is None else self.hits[path]

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.seen.clear()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.hits[seen.path] += 1
            self.seen.append(seen)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # -- life cycle -----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the peer server is not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash: ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    def start(self) -> PeerServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self._requested_port), _PeerHandler)
        httpd.peer = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"peer-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; open keep-alive connections are shut down, delays cut short."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PeerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_until_signal(self, on_start: Callable[[PeerServer], None] | None = None) -> None:
        """Serve in the foreground until SIGTERM or SIGINT, then stop cleanly."""
        done = threading.Event()

        def _stop(signum: int, _frame: object) -> None:
            log.info("peer: signal %s, stopping", signum)
            done.set()

        previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            if on_start is not None:
                on_start(self)
            while not done.wait(0.5):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _mounted_regex(route: Route) -> str:
    return re.escape(route.mount) + route.path


# --------------------------------------------------------------------------------------
# The request handler


class _PeerHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GrandEstPeer/1.0"
    server: _HTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        log.info("peer %s: " + format, self.server.server_address[1], *args)

    # -- dispatch -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        peer = self.server.peer
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        peer._record(Seen(self.command, path, split.query))

        host = self.headers.get("Host") or f"{peer.host}:{self.server.server_address[1]}"
        route, params = peer._resolve(path)
        request = PeerRequest(
            method=self.command,
            path=path,
            route_path=path[len(route.mount):] if route else path,
            query=query,
            query_string=split.query,
            headers=self.headers,
            body=body,
            base_url=f"http://{host}",
            mount=route.mount if route else "",
            params=params,
        )
        fault = peer._take_fault(path, query)
        if fault is not None and fault.kind in _STANDALONE_FAULTS:
            self._send_standalone_fault(fault)
            return
        if fault is not None and fault.kind == "delay":
            peer._stopping.wait(fault.seconds)
            fault = None

        status, headers, payload = self._call(route, request)
        if fault is None:
            self._send(status, headers, payload)
        elif fault.kind == "truncate":
            data = _join(payload)
            self._send(status, _without_length(headers), data[: _kept(fault, data)])
        elif fault.kind == "reset":
            self._send_then_reset(status, headers, _join(payload), fault)
        elif fault.kind == "wrong_encoding":
            self._send(status, *_reencode(headers, _join(payload), fault))

    def _call(self, route: Route | None, request: PeerRequest) -> Response:
        if route is None:
            return text_response(404, f"Not found: {request.path}\n")
        if request.method not in route.methods:
            return text_response(405, f"Method {request.method} not allowed\n")
        try:
            return route.handler(request)
        except Exception as e:
            log.exception("peer handler failed for %s", request.path)
            return text_response(500, f"Peer handler error: {e!r}\n")

    # -- writing ------------------------------------------------------------------------

    def _send(self, status: int, headers: Mapping[str, str], body: Body) -> None:
        headers = dict(headers)
        names = {k.lower() for k in headers}
        chunked = False
        if isinstance(body, bytes):
            if "content-length" not in names:
                headers["Content-Length"] = str(len(body))
        elif "content-length" not in names:
            headers["Transfer-Encoding"] = "chunked"
            chunked = True
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command == "HEAD":
                return
            if isinstance(body, bytes):
                self.wfile.write(body)
                return
            for part in body:
                if not part:
                    continue
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                else:
                    self.wfile.write(part)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except _CLIENT_GONE:
            self.close_connection = True

    def _send_standalone_fault(self, fault: Fault) -> None:
        if fault.kind == "http_error":
            status, headers, body = text_response(
                fault.status, f"Erreur {fault.status} simulée par le serveur de test\n"
            )
            self._send(status, headers, body)
        elif fault.kind == "redirect":
            self._send(fault.status, {"Location": fault.location,
                                      "Content-Type": "text/plain; charset=utf-8"},
                       f"Redirection vers {fault.location}\n".encode())
        elif fault.kind in ("invalid_xml", "xxe"):
            ctype = "application/rdf+xml" if fault.document == "rdf" else "application/xml"
            self._send(200, {"Content-Type": f"{ctype}; charset=utf-8"}, fault.body())
        elif fault.kind == "oversize":
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if not fault.chunked:
                headers["Content-Length"] = str(fault.size)
            self._send(200, headers, _padding_json(fault.size))

    def _send_then_reset(
        self, status: int, headers: Mapping[str, str], body: bytes, fault: Fault
    ) -> None:
        headers = {**_without_length(headers), "Content-Length": str(len(body))}
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body[: _kept(fault, body)])
            time.sleep(0.05)  # let the client read the headers and start on the body
        except _CLIENT_GONE:
            pass
        self.close_connection = True
        conn = self.connection
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # the makefile holds a reference: the socket closes with it
            conn.close()  # SO_LINGER 0: the kernel sends RST instead of FIN


def _join(body: Body) -> bytes:
    return body if isinstance(body, bytes) else b"".join(body)


def _kept(fault: Fault, body: bytes) -> int:
    return len(body) // 2 if fault.keep_bytes is None else min(fault.keep_bytes, len(body))


def _without_length(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in ("content-length",
                                                                   "transfer-encoding")}


def _reencode(headers: Mapping[str, str], body: bytes, fault: Fault) -> tuple[dict, bytes]:
    """``body`` decoded with its declared charset (UTF-8 if none), re-encoded in
    ``fault.actual``, under a Content-Type that declares ``fault.declared``."""
    out = _without_length(headers)
    ctype_key = next((k for k in out if k.lower() == "content-type"), "Content-Type")
    ctype = out.get(ctype_key, "text/plain")
    media, _, params = ctype.partition(";")
    charset = "utf-8"
    kept = []
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset":
            charset = value.strip('"') or charset
        elif name:
            kept.append(param.strip())
    text = body.decode(charset, errors="replace")
    out[ctype_key] = "; ".join([media.strip(), *kept, f"charset={fault.declared}"])
    return out, text.encode(fault.actual, errors="replace")


def _padding_json(size: int) -> Iterator[bytes]:
    """A valid JSON document of exactly ``size`` bytes, produced chunk by chunk."""
    head, tail = b'{"padding": "', b'"}'
    if size < len(head) + len(tail):
        yield b" " * size
        return
    yield head
    left = size - len(head) - len(tail)
    chunk = b"a" * _CHUNK
    while left > 0:
        n = min(left, _CHUNK)
        yield chunk[:n]
        left -= n
    yield tail
