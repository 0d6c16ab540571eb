"""A DCAT-AP catalogue of Grand Est partners (a udata-like portal), generated, and served
in pages with Hydra as Turtle, RDF/XML or JSON-LD.

Datasets are plain dicts (identifier, title, description, keywords, EU themes, a place,
licence, frequency, publisher, dates, distributions); a few are built to exercise the
mapping: an EU theme and a theme label outside the EU table, INSEE and GeoNames places,
a commune outside Grand Est, an unknown licence, a textual frequency, a blank-node
dataset keyed on its ``dct:identifier`` and one dataset without a title. Deterministic: a
seeded ``random.Random``, no clock.

Serving: ``dcat_routes(datasets, path="/catalog.ttl", syntax="turtle", page_size=20)``
serves ``{path}?page=N`` (no ``page``: the first); each page holds the catalogue node,
its Hydra view and its datasets. ``paging="legacy"`` writes the older
``hydra:PagedCollection`` (``hydra:nextPage`` as a literal) instead of a
``hydra:PartialCollectionView`` (``hydra:next``). Faults of paging: ``loop=True`` (the
last page's next link goes back to the first), ``repeat=True`` (the page number is
ignored: every page is the first). The routes read ``datasets`` at each request
(change it in place to change the catalogue).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route

__all__ = ["MEDIA_TYPES", "dcat_routes", "generate_catalogue", "without_dataset"]

Syntax = Literal["turtle", "xml", "json-ld"]
MEDIA_TYPES: dict[str, str] = {
    "turtle": "text/turtle; charset=utf-8",
    "xml": "application/rdf+xml; charset=utf-8",
    "json-ld": "application/ld+json; charset=utf-8",
}

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GN = "http://www.geonames.org/ontology#"
EU = "http://publications.europa.eu/resource/authority/"
INSEE = "http://id.insee.fr/geo/"
IANA = "https://www.iana.org/assignments/media-types/"
PREFIXES = {"rdf": RDF, "dcat": DCAT, "dct": DCT, "foaf": FOAF, "vcard": VCARD,
            "hydra": HYDRA, "gn": GN}

SUBJECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # title pattern, EU theme, keywords
    ("Qualité de l'air à {place} ({year})", "ENVI", ("air", "pollution")),
    ("Arrêts de transport en commun de {place}", "TRAN", ("transport", "bus")),
    ("Équipements sportifs de {place}", "EDUC", ("sport", "équipements")),
    ("Budget primitif {year} de {place}", "GOVE", ("budget", "finances")),
    ("Permis de construire délivrés à {place} en {year}", "REGI", ("urbanisme",)),
    ("Consommation d'énergie des bâtiments publics de {place}", "ENER", ("énergie",)),
    ("Centres de santé de {place}", "HEAL", ("santé",)),
    ("Marchés de plein air de {place}", "ECON", ("commerce", "marchés")),
)

# (label, INSEE URI path or None, GeoNames id or None)
PLACES: tuple[tuple[str, str | None, str | None], ...] = (
    ("Strasbourg", "commune/67482", None),
    ("Mulhouse", "commune/68224", None),
    ("Reims", "commune/51454", None),
    ("Nancy", "commune/54395", None),
    ("Moselle", "departement/57", None),
    ("Grand Est", "region/44", None),
    ("Metz", None, "2994160"),           # a GeoNames place, named in the graph
    ("Troyes", None, "2971549"),
)
OUTSIDE = ("Paris", "commune/75056", None)  # an INSEE territory outside Grand Est

PUBLISHERS: tuple[tuple[str, str], ...] = (
    ("Ville de Strasbourg", "https://www.strasbourg.eu"),
    ("Eurométropole de Metz", "https://www.eurometropolemetz.eu"),
    ("Département de la Moselle", "https://www.moselle.fr"),
    ("ATMO Grand Est", "https://www.atmo-grandest.eu"),
)

LICENCES: tuple[str, ...] = (
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    "https://spdx.org/licenses/ODbL-1.0",
)
UNKNOWN_LICENCE = "Licence maison de la collectivité"

FREQUENCIES: tuple[str, ...] = (EU + "frequency/ANNUAL", EU + "frequency/MONTHLY",
                                EU + "frequency/DAILY")

DISTRIBUTIONS: tuple[tuple[str, str, str], ...] = (
    # extension, media type, format name
    ("csv", "text/csv", "CSV"),
    ("geojson", "application/geo+json", "GeoJSON"),
    ("json", "application/json", "JSON"),
)


def generate_catalogue(count: int, *, seed: int = 57463) -> list[dict[str, Any]]:
    """``count`` datasets; the special cases sit at fixed positions when count >= 8:
    0 an unknown licence, 1 a place outside Grand Est, 2 a theme outside the EU table,
    3 a textual frequency, 4 a blank node keyed on its identifier, 5 no title."""
    rng = random.Random(seed)
    datasets = []
    for index in range(count):
        pattern, theme, keywords = SUBJECTS[index % len(SUBJECTS)]
        place = PLACES[rng.randrange(len(PLACES))]
        year = 2018 + rng.randrange(7)
        publisher = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
        identifier = f"ge-{index + 1:05d}"
        dataset = {
            "identifier": identifier,
            "slug": identifier,
            "title": pattern.format(place=place[0], year=year),
            "description": f"Jeu de données {identifier} publié par {publisher[0]}.",
            "keywords": list(keywords),
            "themes": [EU + "data-theme/" + theme],
            "theme_labels": [],
            "place": place,
            "licence": LICENCES[rng.randrange(len(LICENCES))],
            "frequency": FREQUENCIES[rng.randrange(len(FREQUENCIES))],
            "publisher": publisher,
            "issued": f"{year}-0{1 + rng.randrange(9)}-1{rng.randrange(10)}",
            "modified": f"2024-1{rng.randrange(3)}-0{1 + rng.randrange(9)}T08:30:00",
            "contact_email": f"opendata-{index % 5}@example.org",
            "distributions": [d for d in DISTRIBUTIONS if d[0] != "geojson" or index % 2],
            "blank": False,
        }
        datasets.append(dataset)
    if count >= 8:
        datasets[0]["licence"] = UNKNOWN_LICENCE
        datasets[1]["place"] = OUTSIDE
        datasets[2]["theme_labels"] = ["Vie associative"]
        datasets[3]["frequency"] = "mensuelle"
        datasets[4]["blank"] = True
        datasets[5]["title"] = ""
    return datasets


def without_dataset(datasets: Sequence[dict[str, Any]], identifier: str
                    ) -> list[dict[str, Any]]:
    return [d for d in datasets if d["identifier"] != identifier]


# -- the graph of a page ------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    kind: Literal["uri", "literal", "bnode"]
    value: str
    language: str = ""
    datatype: str = ""


def _uri(value: str) -> Term:
    return Term("uri", value)


def _text(value: str, language: str = "") -> Term:
    return Term("literal", value, language=language)


def _typed(value: str, datatype: str) -> Term:
    return Term("literal", value, datatype=datatype)


Triple = tuple[Term, str, Term]


def _dataset_triples(dataset: dict[str, Any], base: str) -> Iterator[Triple]:
    slug = dataset["slug"]
    node = Term("bnode", f"ds{slug.replace('-', '')}") if dataset["blank"] \
        else _uri(f"{base}/datasets/{slug}")
    yield node, RDF + "type", _uri(DCAT + "Dataset")
    yield node, DCT + "identifier", _text(dataset["identifier"])
    if dataset["title"]:
        yield node, DCT + "title", _text(dataset["title"], "fr")
    yield node, DCT + "description", _text(dataset["description"], "fr")
    for keyword in dataset["keywords"]:
        yield node, DCAT + "keyword", _text(keyword, "fr")
    for theme in dataset["themes"]:
        yield node, DCAT + "theme", _uri(theme)
    for label in dataset["theme_labels"]:
        yield node, DCAT + "theme", _text(label, "fr")
    name, insee, geonames = dataset["place"]
    if insee:
        yield node, DCT + "spatial", _uri(INSEE + insee)
    else:
        place = _uri(f"https://sws.geonames.org/{geonames}/")
        yield node, DCT + "spatial", place
        yield place, RDF + "type", _uri(DCT + "Location")
        yield place, GN + "name", _text(name)
    licence = dataset["licence"]
    yield node, DCT + "license", _uri(licence) if licence.startswith("http") else _text(licence)
    frequency = dataset["frequency"]
    yield node, DCT + "accrualPeriodicity", \
        _uri(frequency) if frequency.startswith("http") else _text(frequency, "fr")
    publisher = _uri(f"{base}/organisations/{_slug(dataset['publisher'][0])}")
    yield node, DCT + "publisher", publisher
    yield publisher, RDF + "type", _uri(FOAF + "Organization")
    yield publisher, FOAF + "name", _text(dataset["publisher"][0])
    yield publisher, FOAF + "homepage", _uri(dataset["publisher"][1])
    yield node, DCT + "issued", _typed(dataset["issued"], XSD + "date")
    yield node, DCT + "modified", _typed(dataset["modified"], XSD + "dateTime")
    yield node, DCAT + "landingPage", _uri(f"{base}/jeux-de-donnees/{slug}/")
    contact = Term("bnode", f"contact{slug.replace('-', '')}")
    yield node, DCAT + "contactPoint", contact
    yield contact, RDF + "type", _uri(VCARD + "Organization")
    yield contact, VCARD + "fn", _text("Service open data")
    yield contact, VCARD + "hasEmail", _uri("mailto:" + dataset["contact_email"])
    for extension, media_type, format_name in dataset["distributions"]:
        distribution = _uri(f"{base}/datasets/{slug}/distributions/{extension}")
        yield node, DCAT + "distribution", distribution
        yield distribution, RDF + "type", _uri(DCAT + "Distribution")
        yield distribution, DCT + "title", _text(f"{slug}.{extension}")
        yield distribution, DCAT + "downloadURL", \
            _uri(f"{base}/fichiers/{slug}.{extension}")
        yield distribution, DCAT + "mediaType", _uri(IANA + media_type)
        yield distribution, DCT + "format", _text(format_name)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _page_triples(datasets: Sequence[dict[str, Any]], *, catalogue: str, page: int,
                  pages: int, total: int, page_size: int, paging: str, loop: bool,
                  base: str) -> list[Triple]:
    def page_url(number: int) -> str:
        return f"{catalogue}?page={number}"

    this = _uri(page_url(page))
    cat = _uri(catalogue)
    triples: list[Triple] = [
        (cat, RDF + "type", _uri(DCAT + "Catalog")),
        (cat, RDF + "type", _uri(HYDRA + "Collection")),
        (cat, DCT + "title", _text("Catalogue des partenaires du Grand Est", "fr")),
        (cat, HYDRA + "totalItems", _typed(str(total), XSD + "integer")),
        (cat, HYDRA + "view", this),
    ]
    following = page + 1 if page < pages else (1 if loop else None)
    if paging == "partial":
        triples += [(this, RDF + "type", _uri(HYDRA + "PartialCollectionView")),
                    (this, HYDRA + "first", _uri(page_url(1))),
                    (this, HYDRA + "last", _uri(page_url(pages)))]
        if following:
            triples.append((this, HYDRA + "next", _uri(page_url(following))))
    else:      # the older Hydra vocabulary, links as literals (as udata once wrote them)
        triples += [(this, RDF + "type", _uri(HYDRA + "PagedCollection")),
                    (this, HYDRA + "firstPage", _text(page_url(1))),
                    (this, HYDRA + "lastPage", _text(page_url(pages))),
                    (this, HYDRA + "itemsPerPage", _typed(str(page_size), XSD + "integer")),
                    (this, HYDRA + "totalItems", _typed(str(total), XSD + "integer"))]
        if following:
            triples.append((this, HYDRA + "nextPage", _text(page_url(following))))
    for dataset in datasets:
        dataset_triples = list(_dataset_triples(dataset, base))
        triples.append((cat, DCAT + "dataset", dataset_triples[0][0]))
        triples += dataset_triples
    return list(dict.fromkeys(triples))       # a publisher shared by datasets: once


# -- serialisations -----------------------------------------------------------------------


def _turtle_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    text = json.dumps(term.value, ensure_ascii=False)   # JSON escapes are Turtle escapes
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^<{term.datatype}>" if term.datatype else text


def to_turtle(triples: Sequence[Triple]) -> str:
    return "".join(f"{_turtle_term(s)} <{p}> {_turtle_term(o)} .\n" for s, p, o in triples)


def _qname(predicate: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if predicate.startswith(namespace):
            return f"{prefix}:{predicate[len(namespace):]}"
    raise ValueError(f"no prefix for {predicate}")


def to_rdf_xml(triples: Sequence[Triple]) -> str:
    by_subject: dict[Term, list[tuple[str, Term]]] = {}
    for subject, predicate, obj in triples:
        by_subject.setdefault(subject, []).append((predicate, obj))
    namespaces = " ".join(f"xmlns:{p}={quoteattr(ns)}" for p, ns in PREFIXES.items())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<rdf:RDF {namespaces}>"]
    for subject, properties in by_subject.items():
        about = (f"rdf:nodeID={quoteattr(subject.value)}" if subject.kind == "bnode"
                 else f"rdf:about={quoteattr(subject.value)}")
        lines.append(f"  <rdf:Description {about}>")
        for predicate, obj in properties:
            name = _qname(predicate)
            if obj.kind == "uri":
                lines.append(f"    <{name} rdf:resource={quoteattr(obj.value)}/>")
            elif obj.kind == "bnode":
                lines.append(f"    <{name} rdf:nodeID={quoteattr(obj.value)}/>")
            else:
                attributes = (f" xml:lang={quoteattr(obj.language)}" if obj.language else
                              f" rdf:datatype={quoteattr(obj.datatype)}" if obj.datatype
                              else "")
                lines.append(f"    <{name}{attributes}>{escape(obj.value)}</{name}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


def _json_ld_term(term: Term) -> dict[str, str]:
    if term.kind == "uri":
        return {"@id": term.value}
    if term.kind == "bnode":
        return {"@id": f"_:{term.value}"}
    value = {"@value": term.value}
    if term.language:
        value["@language"] = term.language
    elif term.datatype:
        value["@type"] = term.datatype
    return value


def to_json_ld(triples: Sequence[Triple]) -> str:
    """Expanded JSON-LD (no context to fetch)."""
    nodes: dict[Term, dict[str, Any]] = {}
    for subject, predicate, obj in triples:
        node = nodes.setdefault(subject, {"@id": _json_ld_term(subject)["@id"]})
        if predicate == RDF + "type":
            node.setdefault("@type", []).append(obj.value)
        else:
            node.setdefault(predicate, []).append(_json_ld_term(obj))
    return json.dumps(list(nodes.values()), ensure_ascii=False, indent=1)


SERIALISERS = {"turtle": to_turtle, "xml": to_rdf_xml, "json-ld": to_json_ld}


# -- routes -------------------------------------------------------------------------------


def dcat_routes(datasets: list[dict[str, Any]], *, path: str = "/catalog.ttl",
                syntax: Syntax = "turtle", page_size: int = 20,
                paging: Literal["partial", "legacy"] = "partial",
                media_type: str | None = None, loop: bool = False,
                repeat: bool = False) -> list[Route]:
    """The catalogue at ``path`` (``?page=N``), ``page_size`` datasets a page, written in
    ``syntax`` and served as ``media_type`` (default: the syntax's own)."""

    def serve(request: PeerRequest) -> Response:
        pages = max(1, -(-len(datasets) // page_size))
        try:
            page = 1 if repeat else int(request.arg("page", "1") or "1")
        except ValueError:
            page = 0
        if not 1 <= page <= pages:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, \
                f"No page {request.arg('page')} (pages 1 to {pages})\n".encode()
        chunk = datasets[(page - 1) * page_size:page * page_size]
        triples = _page_triples(chunk, catalogue=request.mount_url + path, page=page,
                                pages=pages, total=len(datasets), page_size=page_size,
                                paging=paging, loop=loop, base=request.mount_url)
        body = SERIALISERS[syntax](triples).encode("utf-8")
        return 200, {"Content-Type": media_type or MEDIA_TYPES[syntax]}, body

    return [Route(path, serve)]
