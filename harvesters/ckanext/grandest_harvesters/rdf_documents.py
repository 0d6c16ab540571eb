"""Reading the RDF documents of partner DCAT catalogues, safely.

- Syntax: the source configuration's ``rdf_format``, else the answer's media type, else
  the URL's extension, else the document's first characters (``mappings/dcat.yaml``).
- RDF/XML: a document that declares a DOCTYPE is refused before rdflib sees it. Entity
  declarations are how XML reads local files or reaches other servers (XXE); Python's
  SAX reader, which rdflib uses, leaves external entities unresolved, but silently: the
  partner would never learn why a description is empty. The check runs expat with
  parameter entities off and stops at the DOCTYPE; it also words syntax errors.
- JSON-LD: a context is never fetched over the network (rdflib would, with no SSRF guard
  nor size cap). A remote context is refused, except DCAT-US's, read with the local
  context of ``mappings/dcat.yaml``.
- Parsing: ckanext-dcat's ``RDFParser`` with the ``euro_dcat_ap_3`` and
  ``grandest_dcat_ap_3`` profiles, the document's URL as base IRI (relative IRIs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

import ckan.plugins.toolkit as tk
import yaml
from ckanext.dcat.processors import HYDRA, RDFParser
from ckanext.dcat.profiles import DCAT
from rdflib import BNode
from rdflib.namespace import RDF
from rdflib.term import Node

from ckanext.grandest_harvesters.fetching import FetchError, Response

MAPPING = Path(__file__).parent / "mappings" / "dcat.yaml"
PROFILES = ("euro_dcat_ap_3", "grandest_dcat_ap_3")
ACCEPT = ("application/rdf+xml, text/turtle;q=0.9, application/ld+json;q=0.9, "
          "application/xml;q=0.5, */*;q=0.1")
SYNTAX_NAMES = {"xml": "RDF/XML", "turtle": "Turtle", "json-ld": "JSON-LD"}

_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,6})$")
_IRI_FIRST = re.compile(rb"<[^\s<>\"{}|^`]*>\s")


@cache
def mapping() -> dict[str, Any]:
    with MAPPING.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _msg(message: str, **values: object) -> str:
    return tk._(message).format(**values)


# -- which syntax -------------------------------------------------------------------------


def configured_syntax(name: str | None) -> str | None:
    """The rdflib parser of a source configuration's ``rdf_format``; None if unknown."""
    return mapping()["formats"]["names"].get(str(name or "").strip().lower())


def syntax_of(response: Response, configured: str | None = None) -> str:
    """The rdflib parser for a fetched document; FetchError when it is not RDF."""
    if configured:
        return configured
    formats = mapping()["formats"]
    media_type = response.content_type.split(";", 1)[0].strip().lower()
    if media_type in formats["media_types"]:
        syntax = formats["media_types"][media_type]
        if syntax is None:
            raise FetchError(_msg("The answer from {url} is a web page ({media_type}), not "
                                  "an RDF document", url=response.url, media_type=media_type))
        return syntax
    extension = _EXTENSION.search(urlsplit(response.url).path)
    if extension and extension[1].lower() in formats["extensions"]:
        return formats["extensions"][extension[1].lower()]
    start = response.body.removeprefix(b"\xef\xbb\xbf").lstrip()[:200]     # UTF-8 BOM
    if start[:1] in (b"{", b"["):
        return "json-ld"
    # "<http://…> <…>" opens N-Triples-style Turtle; any other "<" opens XML.
    return "xml" if start[:1] == b"<" and not _IRI_FIRST.match(start) else "turtle"


# -- RDF/XML ------------------------------------------------------------------------------


class _Declaration(Exception):
    pass


def _refuse(*_args: Any) -> None:
    raise _Declaration


def check_xml(body: bytes, url: str) -> None:
    """Refuses a document that declares a DOCTYPE (entities, external DTD), or that is not
    well-formed XML, with a readable reason."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(body, True)
    except _Declaration:
        raise FetchError(_msg(
            "The XML document at {url} declares a DOCTYPE: it is refused, because entity "
            "declarations can read the server's files or reach other servers", url=url),
        ) from None
    except expat.ExpatError as e:
        raise FetchError(_msg("Invalid XML at {url}, line {line}, column {column}: {reason}",
                              url=url, line=e.lineno, column=e.offset + 1,
                              reason=expat.ErrorString(e.code))) from None


# -- JSON-LD ------------------------------------------------------------------------------


def _remote_contexts(node: Any) -> Iterator[str]:
    """Every context the document would load from elsewhere (``@context`` strings,
    ``@import``), however deep (scoped contexts included)."""
    if isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        yield item
            elif key == "@import" and isinstance(value, str):
                yield value
            yield from _remote_contexts(value)


def _is_dcat_us(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    table = mapping()["dcat_us"]
    return (document.get("@context") in table["contexts"]
            or document.get("conformsTo") in table["conforms_to"])


def _read_dcat_us(document: dict[str, Any]) -> dict[str, Any]:
    """A DCAT-US 1.1 catalogue with the local context; its datasets typed dcat:Dataset."""
    datasets = [
        {"@type": "dcat:Dataset", **d} if isinstance(d, dict) and "@type" not in d else d
        for d in document.get("dataset") or []
    ]
    return {**document, "@context": mapping()["dcat_us"]["context"], "dataset": datasets}


def _is_json_ld(document: Any) -> bool:
    nodes = document if isinstance(document, list) else [document]
    return any(isinstance(n, dict) and {"@context", "@graph", "@id", "@type"} & n.keys()
               for n in nodes)


def jsonld_text(text: str, url: str) -> str:
    """The JSON-LD document to parse: DCAT-US gets its local context; a remote context or
    a JSON document that is not JSON-LD is refused."""
    try:
        document = json.loads(text)
    except ValueError as e:
        raise FetchError(_msg("Unreadable JSON at {url}: {error}", url=url, error=e)) from None
    if _is_dcat_us(document):
        document = _read_dcat_us(document)
    for context in _remote_contexts(document):
        raise FetchError(_msg(
            "The JSON-LD document at {url} uses the remote context {context}, which the "
            "portal never fetches: publish the catalogue with its context inline, or as "
            "expanded JSON-LD", url=url, context=context))
    if not _is_json_ld(document):
        raise FetchError(_msg(
            "The JSON document at {url} is not JSON-LD (no @context, @id, @type nor "
            "@graph): it is not a DCAT RDF catalogue", url=url))
    return json.dumps(document, ensure_ascii=False)


# -- parsing ------------------------------------------------------------------------------


class CatalogueParser(RDFParser):
    """One page of a DCAT catalogue, parsed with the portal's profiles."""

    def __init__(self) -> None:
        super().__init__(profiles=list(PROFILES))

    def read(self, response: Response, syntax: str) -> None:
        """Parses the page; FetchError with a readable reason when it cannot be read."""
        url = response.url
        data: str | bytes
        if syntax == "xml":
            check_xml(response.body, url)
            data = response.body        # bytes: expat honours the declared encoding
        elif syntax == "json-ld":
            data = jsonld_text(response.text(), url)
        else:
            data = response.text()
        try:
            self.g.parse(data=data, format=syntax, publicID=url)
        except Exception as e:    # rdflib's parsers raise many kinds: all mean unreadable
            raise FetchError(_msg("Unreadable {syntax} document at {url}: {error}",
                                  syntax=SYNTAX_NAMES.get(syntax, syntax), url=url,
                                  error=str(e) or repr(e))) from None
        if not self._holds_dcat():
            raise FetchError(_msg("The document at {url} holds no DCAT catalogue nor "
                                  "dataset", url=url))

    def _holds_dcat(self) -> bool:
        types = (DCAT.Catalog, DCAT.Dataset, HYDRA.Collection, HYDRA.PartialCollectionView,
                 HYDRA.PagedCollection)
        return any(next(self.g.subjects(RDF.type, t), None) is not None for t in types)

    def dataset_nodes(self) -> Iterator[tuple[Node, dict[str, Any] | Exception]]:
        """Each dataset node with its dict as the profiles parse it (as ``datasets()``
        does), or the error that stopped its parsing."""
        for dataset_ref in dict.fromkeys(self._datasets()):
            dataset: dict[str, Any] = {}
            try:
                for profile_class in self._profiles:
                    profile = profile_class(self.g, dataset_type=self.dataset_type,
                                            compatibility_mode=self.compatibility_mode)
                    profile.parse_dataset(dataset, dataset_ref)
            except Exception as e:
                yield dataset_ref, e
                continue
            yield dataset_ref, dataset

    def blank_node_ids(self) -> frozenset[str]:
        """Ids of the page's blank nodes: they change at every parse, so they are never
        kept in a record (its digest would change too)."""
        return frozenset(str(n) for n in self.g.all_nodes() if isinstance(n, BNode))
