"""Safe HTTP fetching for every harvester: timeouts, a size cap, retries with backoff,
a clear User-Agent, and a guard against requests to internal addresses (SSRF).

Redirects are followed by hand so that each hop is checked like the first URL.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import ckan.plugins.toolkit as tk
import requests

from ckanext.grandest_harvesters import config

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """A remote resource could not be fetched; the message is meant for the job report."""


@dataclass(frozen=True)
class Response:
    url: str                  # after redirects
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        """The body as text, whatever the server declared.

        UTF-8 when the bytes are UTF-8 (servers often declare another charset); otherwise
        the declared charset, unless it is the UTF-8 that just failed, in which case the
        Windows-1252 that French servers really send.
        """
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            declared = requests.utils.get_encoding_from_headers(
                {"content-type": self.content_type}) or ""
            charset = "cp1252" if declared.lower().replace("-", "") in ("", "utf8") \
                else declared
            return self.body.decode(charset, errors="replace")


def check_address(url: str) -> None:
    """Refuses URLs whose host resolves to a non-public address, unless allow-listed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_msg("Address refused (only http and https are accepted): {url}", url=url))
    host = parts.hostname.lower()
    if host in config.allowed_hosts():
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as e:
        raise FetchError(
            _msg("Unknown server name: {host} ({error})", host=host, error=e)
        ) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(
                _msg("Address refused: {host} is an internal address ({address}) and not "
                     "in the list of allowed servers", host=host, address=address)
            )


def fetch(url: str, *, accept: str = "*/*", session: requests.Session | None = None,
          max_bytes: int | None = None) -> Response:
    """GETs ``url`` with the portal's limits; raises FetchError with a readable reason."""
    session = session or requests.Session()
    attempts, backoff = max(1, config.retries()), config.retry_backoff()
    for attempt in range(1, attempts + 1):
        try:
            return _fetch_once(url, accept, session, max_bytes or config.max_bytes())
        except _Retryable as e:
            if attempt == attempts:
                raise FetchError(
                    _msg("{error} (after {attempts} attempts)", error=e, attempts=attempts)
                ) from None
            log.info("%s, retrying in %.1fs", e, backoff)
            time.sleep(backoff)
            backoff *= 2
    raise AssertionError("unreachable")


class _Retryable(Exception):
    pass


def _fetch_once(url: str, accept: str, session: requests.Session, max_bytes: int) -> Response:
    headers = {"User-Agent": config.user_agent(), "Accept": accept}
    for _ in range(MAX_REDIRECTS + 1):
        check_address(url)
        try:
            response = session.get(url, headers=headers, timeout=config.timeout(),
                                   allow_redirects=False, stream=True)
        except requests.Timeout:
            raise _Retryable(_msg("Timed out: {url}", url=url)) from None
        except requests.ConnectionError as e:
            reason = _reason(e)
            raise _Retryable(_msg("Cannot connect to {url}: {reason}", url=url,
                                  reason=reason)) from None
        with response:
            status = response.status_code
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            if status >= 500:
                raise _Retryable(_msg("Server error HTTP {status} for {url}", status=status,
                                      url=url))
            if status >= 400:
                raise FetchError(_msg("HTTP error {status} for {url}", status=status, url=url))
            body = _read_capped(response, url, max_bytes)
            return Response(url, status, response.headers.get("content-type", ""), body)
    raise FetchError(_msg("Too many redirects from {url}", url=url))


def _read_capped(response: requests.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_msg("Response too large ({size} bytes, limit {limit}): {url}",
                              size=int(declared), limit=max_bytes, url=url))
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_msg("Response too large (over {limit} bytes): {url}",
                                      limit=max_bytes, url=url))
            chunks.append(chunk)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as e:
        reason = _reason(e)
        raise _Retryable(_msg("Connection broken while reading {url}: {reason}", url=url,
                              reason=reason)) from None
    except requests.Timeout:
        raise _Retryable(_msg("Timed out while reading {url}", url=url)) from None
    return b"".join(chunks)


def _msg(text: str, **values: object) -> str:
    """A translated message of the job report, with its values."""
    return tk._(text).format(**values)


def _reason(error: Exception) -> str:
    text = str(error)
    return text.rsplit("(Caused by ", maxsplit=1)[-1].rstrip(")") if "Caused by" in text else text


def portal_root(source_url: str, markers: tuple[str, ...]) -> str:
    """A portal's root from one of its URLs: what comes before the first of ``markers``
    (``/api/``…), without query, fragment or trailing slash."""
    url = source_url.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    parts = urlsplit(url)
    path = parts.path
    for marker in markers:
        if marker in path + "/":
            path = (path + "/").split(marker, 1)[0]
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"
