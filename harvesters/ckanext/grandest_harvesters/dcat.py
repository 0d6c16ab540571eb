"""Harvester of partner DCAT catalogues: udata portals (data.gouv.fr…), Opendatasoft DCAT
exports, GeoNetwork GeoDCAT-AP, DCAT-AP feeds and DCAT-US ``data.json``.

Gather: the catalogue at the source URL, in RDF/XML, Turtle or JSON-LD (see
:mod:`rdf_documents`), and its next pages in both Hydra styles
(``hydra:PartialCollectionView`` / ``hydra:next`` and the older ``hydra:PagedCollection``
/ ``hydra:nextPage``), read by ckanext-dcat's ``RDFParser``. Paging stops with a gather
error (the listing is then incomplete: nothing is withdrawn) when a next page loops back,
when a page repeats an earlier one, or beyond ``ckanext.grandest_harvesters.dcat.max_pages``.
A record is keyed as ckanext-dcat's RDF harvester keys it: the dataset's URI, or its
``dct:identifier`` when the dataset is a blank node.

Mapping: the dataset dict of the ``euro_dcat_ap_3`` and ``grandest_dcat_ap_3`` profiles
(EU theme and frequency URIs, INSEE territory URIs, licence names and URLs already read
as codes), completed from the graph with the tables of ``mappings/dcat.yaml``: territory
names (GeoNames places and other labelled locations), theme labels, licences, textual
frequencies; whatever cannot be read is left out with a warning. The publisher becomes
the dataset's organisation (created on first use), unless the source configuration says
``"publisher_organisations": false``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.profiles import DCAT, DCT, FOAF, LOCN, RDFS, SKOS, VCARD
from ckanext.harvest.interfaces import IHarvester
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest_harvesters import cleaning, config
from ckanext.grandest_harvesters.base import (
    GrandEstHarvester,
    MappingError,
    RemoteRecord,
    SkippedRecord,
)
from ckanext.grandest_harvesters.fetching import FetchError, fetch
from ckanext.grandest_harvesters.rdf_documents import (
    ACCEPT,
    CatalogueParser,
    configured_syntax,
    mapping,
    syntax_of,
)

GN = Namespace("http://www.geonames.org/ontology#")
POD = Namespace("https://project-open-data.cio.gov/v1.1/schema#")
LANGUAGES = ("fr", "en", "de")

# Names of a place, a theme or a licence, and of a publisher (best first).
_LABELS = (SKOS.prefLabel, RDFS.label, DCT.title, LOCN.geographicName, GN.name,
           GN.officialName, FOAF.name)
_AGENT_NAMES = (FOAF.name, VCARD.fn, VCARD["organization-name"], SKOS.prefLabel, RDFS.label,
                DCT.title)

# What a record keeps of the profiles' dict: the fields the mapping reads (the others,
# such as the distributions' dates or access services, would only make a record look
# modified without changing its dataset).
_DATASET_FIELDS = ("title", "notes", "tags", "theme", "territorial_coverage", "bbox",
                   "temporal_start", "temporal_end", "frequency", "license_id", "contact",
                   "conforms_to", "identifier", "language", "issued", "modified",
                   "remote_url")
_RESOURCE_FIELDS = ("name", "description", "url", "download_url", "access_url", "format",
                    "mimetype", "size", "conforms_to")

_HTML = re.compile(r"<[A-Za-z/][^>]*>")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")
_BBOX = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,"
                   r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_FORMAT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,11}$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_IANA = re.compile(r"^https?://www\.iana\.org/assignments/media-types/", re.IGNORECASE)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})$")


def _msg(message: str, **values: object) -> str:
    return tk._(message).format(**values)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


# -- gather: the pages ----------------------------------------------------------------------


def catalogue_pages(url: str, syntax: str | None) -> Iterator[CatalogueParser]:
    """Each page of the catalogue, parsed, following its Hydra next links; FetchError when
    a page cannot be read or paging goes wrong (the listing is then incomplete)."""
    requested: set[str] = set()
    bodies: dict[str, str] = {}
    max_pages = config.dcat_max_pages()
    next_url: str | None = url
    while next_url:
        if next_url in requested:
            raise FetchError(_msg("The catalogue's next page loops back to {url}",
                                  url=next_url))
        if len(requested) >= max_pages:
            raise FetchError(_msg("The catalogue has more than {count} pages (limit "
                                  "ckanext.grandest_harvesters.dcat.max_pages): paging "
                                  "stopped at {url}", count=max_pages, url=next_url))
        requested.add(next_url)
        response = fetch(next_url, accept=ACCEPT)
        digest = hashlib.sha256(response.body).hexdigest()
        if digest in bodies:
            raise FetchError(_msg("The catalogue page {url} repeats the page {earlier} "
                                  "(same content): paging stopped", url=next_url,
                                  earlier=bodies[digest]))
        bodies[digest] = next_url
        page = CatalogueParser()
        page.read(response, syntax_of(response, syntax))
        yield page
        following = page.next_page()
        next_url = urljoin(response.url, following) if following else None


# -- gather: what a record keeps of its dataset -----------------------------------------------


def _literal_sort_key(literal: Literal) -> tuple[int, str]:
    language = (literal.language or "").lower()
    return (0 if language == "fr" else 1 if not language else 2, str(literal))


def _labels(g: Graph, node: Node, predicates: tuple[URIRef, ...] = _LABELS) -> list[str]:
    """The node's names, French first, then untagged, then other languages."""
    found = [o for predicate in predicates for o in g.objects(node, predicate)
             if isinstance(o, Literal) and str(o).strip()]
    return list(dict.fromkeys(str(o).strip() for o in sorted(found, key=_literal_sort_key)))


def _described(g: Graph, node: Node) -> dict[str, Any] | None:
    """A value of the graph as its URI and names; a literal is its text; None for a blank
    node without a name (e.g. a location given only by its geometry)."""
    if isinstance(node, Literal):
        text = str(node).strip()
        return {"uri": "", "labels": [text]} if text else None
    labels = _labels(g, node)
    if isinstance(node, URIRef):
        return {"uri": str(node), "labels": labels}
    return {"uri": "", "labels": labels} if labels else None


def _values(g: Graph, subjects: list[Node], predicate: URIRef) -> list[dict[str, Any]]:
    found = (_described(g, o) for s in subjects for o in g.objects(s, predicate))
    return [value for value in found if value]


def _publisher(g: Graph, dataset_ref: Node) -> dict[str, str] | None:
    for node in g.objects(dataset_ref, DCT.publisher):
        if isinstance(node, Literal):
            return {"uri": "", "name": str(node).strip(), "homepage": ""}
        names = _labels(g, node, _AGENT_NAMES)
        homepages = [str(h) for h in g.objects(node, FOAF.homepage)]
        return {"uri": str(node) if isinstance(node, URIRef) else "",
                "name": names[0] if names else "",
                "homepage": min(homepages) if homepages else ""}
    return None


def _facts(g: Graph, dataset_ref: Node) -> dict[str, Any]:
    """What the mapping needs beyond the profiles' dict: the values as published, to
    resolve what the profiles left out and to say what could not be resolved."""
    distributions = list(g.objects(dataset_ref, DCAT.distribution))
    access = [str(o) for o in g.objects(dataset_ref, POD.accessLevel)]
    return {
        "themes": _values(g, [dataset_ref], DCAT.theme),
        "spatial": _values(g, [dataset_ref], DCT.spatial),
        "frequencies": _values(g, [dataset_ref], DCT.accrualPeriodicity),
        "licences": _values(g, [dataset_ref, *distributions], DCT.license),
        "rights": _values(g, [dataset_ref, *distributions], DCT.rights),
        "publisher": _publisher(g, dataset_ref),
        "access_level": min(access) if access else "",
    }


def _scrubbed(value: Any, blank_nodes: frozenset[str]) -> Any:
    """``value`` without the ids of blank nodes (different at every parse)."""
    if isinstance(value, str):
        return "" if value in blank_nodes else value
    if isinstance(value, list):
        items = (_scrubbed(item, blank_nodes) for item in value)
        return [item for item in items if item not in ("", None, [], {})]
    if isinstance(value, dict):
        return {key: _scrubbed(item, blank_nodes) for key, item in value.items()}
    return value


def _kept(dataset: dict[str, Any], blank_nodes: frozenset[str]) -> dict[str, Any]:
    kept = {key: dataset[key] for key in _DATASET_FIELDS
            if dataset.get(key) not in (None, "", [])}
    kept["contact"] = [{key: c[key] for key in ("name", "email") if c.get(key)}
                       for c in kept.get("contact", []) if isinstance(c, dict)]
    kept["resources"] = [{key: r[key] for key in _RESOURCE_FIELDS
                          if r.get(key) not in (None, "", [])}
                         for r in dataset.get("resources") or [] if isinstance(r, dict)]
    return _scrubbed(kept, blank_nodes)


def _canonical(value: Any, key: str = "") -> Any:
    """Lists in a fixed order, whatever order the graph gave: the record's digest then
    only changes when the dataset does. Labels keep theirs (French first, see _labels)."""
    if isinstance(value, dict):
        return {k: _canonical(item, k) for k, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        if key == "labels":
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True,
                                                         ensure_ascii=False))
    return value


class GrandEstDcatHarvester(GrandEstHarvester, DCATRDFHarvester):
    """The portal's DCAT harvester: ckanext-dcat's RDF parsing and record keys, imported
    through the portal's base (digests, "not modified", withdrawal, readable errors)."""

    p.implements(IHarvester)

    platform = "DCAT"

    def info(self) -> dict[str, str]:
        return {
            "name": "grandest_dcat",
            "title": "DCAT (RDF/XML, Turtle, JSON-LD)",
            "description": tk._("A DCAT catalogue (udata, Opendatasoft, GeoNetwork…) in "
                                "RDF/XML, Turtle or JSON-LD, with its Hydra pages"),
        }

    def check_config(self, parsed: dict[str, Any]) -> None:
        if "rdf_format" in parsed and not configured_syntax(parsed["rdf_format"]):
            names = ", ".join(sorted(mapping()["formats"]["names"]))
            raise ValueError(tk._("rdf_format must be one of: {formats}")
                             .format(formats=names))
        if not isinstance(parsed.get("publisher_organisations", True), bool):
            raise ValueError(tk._("publisher_organisations must be true or false"))

    # -- gather -------------------------------------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord | SkippedRecord]:
        syntax = configured_syntax(source_config.get("rdf_format"))
        options = {"publisher_organisations":
                   bool(source_config.get("publisher_organisations", True))}
        for page in catalogue_pages(source_url, syntax):
            blank_nodes = page.blank_node_ids()
            for dataset_ref, parsed in page.dataset_nodes():
                record = self._record(page.g, dataset_ref, parsed, blank_nodes, options)
                if record is not None:
                    yield record

    def _record(self, g: Graph, dataset_ref: Node, parsed: dict[str, Any] | Exception,
                blank_nodes: frozenset[str], options: dict[str, Any]
                ) -> RemoteRecord | SkippedRecord | None:
        uri = str(dataset_ref) if isinstance(dataset_ref, URIRef) else ""
        if isinstance(parsed, Exception):
            return SkippedRecord(
                _msg("The DCAT dataset {id} could not be read ({error}): it is skipped",
                     id=uri or next(iter(_labels(g, dataset_ref, (DCT.title,))), "?"),
                     error=parsed), guid=uri or None)
        guid = self._get_guid(parsed)       # ckanext-dcat's rule: URI, else dct:identifier
        if not guid:
            return SkippedRecord(_msg(
                "The DCAT dataset « {title} » has neither a URI nor a dct:identifier: it "
                "is skipped", title=cleaning.text(parsed.get("title")) or "?"))
        facts = _facts(g, dataset_ref)
        public = mapping()["dcat_us"]["public_access_levels"]
        if facts["access_level"] and facts["access_level"].lower() not in public:
            return None      # never published; withdrawn if it was public before
        content = {"uri": uri, "dataset": _kept(parsed, blank_nodes), "facts": facts,
                   **options}
        return RemoteRecord(str(guid), _canonical(content))

    # -- mapping ------------------------------------------------------------------------

    def map_record(self, content: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        dataset, facts = content["dataset"], content["facts"]
        identifier = cleaning.text(dataset.get("identifier")) or content["uri"]
        title = cleaning.text(dataset.get("title"))
        if not title:
            raise MappingError(_msg("DCAT dataset {id} has no title: it cannot be published",
                                    id=content["uri"] or identifier or "?"))
        mapped: dict[str, Any] = {
            "title": title,
            "notes": _description(dataset.get("notes")) or title,
            "tags": cleaning.tags(t.get("name") for t in dataset.get("tags", [])
                                  if isinstance(t, dict)),
            "theme": _themes(dataset, facts, warnings),
            "territorial_coverage": _coverage(dataset, facts, warnings),
            "license_id": _licence(dataset, facts, warnings),
            "identifier": identifier,
            "resources": _resources(dataset, warnings),
            **_dates(dataset, warnings),
            **_temporal(dataset, warnings),
        }
        bbox = _bbox(dataset, facts, warnings)
        if bbox:
            mapped["bbox"] = bbox
        if dataset.get("language") in LANGUAGES:
            mapped["language"] = dataset["language"]
        frequency = _frequency(dataset, facts, warnings)
        if frequency:
            mapped["frequency"] = frequency
        if _is_url(dataset.get("remote_url")):
            mapped["remote_url"] = dataset["remote_url"]
        conforms_to = [url for url in dataset.get("conforms_to", []) if _is_url(url)]
        if conforms_to:
            mapped["conforms_to"] = conforms_to
        publisher = facts.get("publisher") or {}
        organisation = _organisation(publisher) if content["publisher_organisations"] \
            else None
        if organisation:
            mapped["_organisation"] = organisation
        contacts = _contacts(dataset, warnings)
        if not contacts and not organisation and publisher.get("name"):
            contacts = [{"name": publisher["name"]}]   # the schema has no publisher field
        if contacts:
            mapped["contact"] = contacts
        return mapped


# -- mapping helpers ----------------------------------------------------------------------


def _description(text: Any) -> str:
    text = cleaning.text(text)
    return cleaning.markdown(text) if _HTML.search(text) else text


@cache
def _themes_by_label() -> dict[str, str]:
    by_label = {cleaning.fold(code): code for code in vocab.themes()}
    for code, theme in vocab.themes().items():
        by_label.update({cleaning.fold(label): code for label in theme["labels"].values()})
    return by_label


def _theme_code(labels: list[str]) -> str | None:
    """An EU theme named by its code or one of its labels (fr, en, de)."""
    by_label = _themes_by_label()
    folded = (cleaning.fold(label) for label in labels)
    return next((by_label[label] for label in folded if label in by_label), None)


def _themes(dataset: dict[str, Any], facts: dict[str, Any], warnings: list[str]) -> list[str]:
    codes = list(dataset.get("theme", []))         # EU theme URIs, read by the profile
    unknown = []
    for theme in facts["themes"]:
        if theme["uri"] and vocab.theme_from_uri(theme["uri"]):
            continue
        code = _theme_code(theme["labels"])
        if code:
            codes.append(code)
        else:
            unknown.append(theme["labels"][0] if theme["labels"] else theme["uri"])
    if unknown:
        warnings.append(_msg("themes outside the EU data themes, left out: {themes}",
                             themes=", ".join(f"« {t} »" for t in unknown)))
    return sorted(set(codes))


def _territory_named(label: str) -> str | None:
    """The territory of Grand Est with exactly this name; among namesakes, the one of the
    largest level if it is alone at that level."""
    folded = cleaning.fold(label)
    namesakes = [t for t in vocab.search_territories(label, limit=50)
                 if cleaning.fold(t.name) == folded]
    if not namesakes:
        return None
    largest = min(vocab.LEVELS.index(t.level) for t in namesakes)
    found = [t for t in namesakes if vocab.LEVELS.index(t.level) == largest]
    return found[0].key if len(found) == 1 else None


def _coverage(dataset: dict[str, Any], facts: dict[str, Any], warnings: list[str]
              ) -> list[str]:
    """Territories of Grand Est: INSEE URIs (read by the profile), else the names of the
    places (GeoNames and other labelled locations, or plain text)."""
    keys = list(dataset.get("territorial_coverage", []))
    unknown = []
    for place in facts["spatial"]:
        uri, labels = place["uri"], place["labels"]
        if uri and vocab.territory_from_uri(uri):
            continue
        if not uri and len(labels) == 1 and _BBOX.match(labels[0]):
            continue                                  # a DCAT-US bounding box: see _bbox
        key = next((k for k in map(_territory_named, labels) if k), None)
        if key:
            keys.append(key)
        else:
            unknown.append(labels[0] if labels else uri)
    if unknown:
        warnings.append(_msg(
            "spatial coverage not recognised as territories of Grand Est, left out: "
            "{places}", places=", ".join(f"« {place} »" for place in unknown)))
    return list(dict.fromkeys(keys))


def _valid_bbox(numbers: list[float]) -> bool:
    west, south, east, north = numbers
    return -180 <= west < east <= 180 and -90 <= south < north <= 90


def _bbox(dataset: dict[str, Any], facts: dict[str, Any], warnings: list[str]) -> str | None:
    candidates = [dataset["bbox"]] if dataset.get("bbox") else []
    candidates += [label for place in facts["spatial"] if not place["uri"]
                   for label in place["labels"] if _BBOX.match(label)]
    for candidate in candidates:
        found = _BBOX.match(candidate)
        numbers = [float(n) for n in found.groups()] if found else []
        if numbers and _valid_bbox(numbers):
            return ",".join(f"{n:g}" for n in numbers)
        warnings.append(_msg("invalid bounding box « {bbox} », left out", bbox=candidate))
    return None


@cache
def _licences_by_key() -> dict[str, str]:
    return {_licence_key(key): value for key, value in mapping()["licences"].items()}


@cache
def _not_licences() -> frozenset[str]:
    return frozenset(_licence_key(text) for text in mapping()["not_licences"])


def _licence_for(text: str) -> str | None:
    """The licence a text names (table ``licences``, then the portal's aliases), or that an
    address quoted in it names."""
    by_key = _licences_by_key()
    plain = _HTML.sub(" ", text)
    for candidate in (text, plain, *_URL_IN_TEXT.findall(plain)):
        licence = by_key.get(_licence_key(candidate)) or vocab.licence_for_text(candidate)
        if licence:
            return licence
    return None


def _licence_key(text: str) -> str:
    if _is_url(text.strip()):
        return re.sub(r"^https?://(www\.)?", "", text.strip().lower()).rstrip("/")
    return cleaning.fold(text)


def _licence(dataset: dict[str, Any], facts: dict[str, Any], warnings: list[str]) -> str:
    """The licence the profile read, else one named by the licences and rights statements
    (table ``licences``); "notspecified" with a warning when a licence is given but
    unknown, without one when none is given."""
    if dataset.get("license_id"):
        return dataset["license_id"]
    ignored = _not_licences()
    given = [text for value in facts["licences"] for text in [value["uri"], *value["labels"]]
             if text and _licence_key(text) not in ignored]
    rights = [text for value in facts["rights"] for text in [value["uri"], *value["labels"]]
              if text]
    for text in [*given, *rights]:
        licence = _licence_for(text)
        if licence:
            return licence
    if given:
        warnings.append(_msg("unknown licence « {text} », recorded as not specified",
                             text=_HTML.sub(" ", given[0]).strip()))
    return "notspecified"


def _frequency(dataset: dict[str, Any], facts: dict[str, Any], warnings: list[str]
               ) -> str | None:
    if dataset.get("frequency"):
        return dataset["frequency"]                  # an EU frequency URI
    texts = [text for value in facts["frequencies"] for text in [value["uri"], *value["labels"]]
             if text]
    for text in texts:
        code = vocab.frequency_for_text(text)
        if code:
            return code
    if texts:
        warnings.append(_msg("unknown update frequency « {text} », left empty",
                             text=texts[0]))
    return None


def _dates(dataset: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    """issued and modified as the source dates them (never the harvest's date)."""
    dates = {}
    for field in ("issued", "modified"):
        value = cleaning.text(dataset.get(field))
        if not value:
            continue
        date = cleaning.iso_date(value)
        if date:
            dates[field] = date
        else:
            warnings.append(_msg("unreadable date {field} ({value}), left empty",
                                 field=field, value=value))
    return dates


def _temporal(dataset: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    start = cleaning.iso_date(dataset.get("temporal_start") or "")
    end = cleaning.iso_date(dataset.get("temporal_end") or "")
    if start and end and end < start:
        warnings.append(_msg("temporal coverage ending before it starts ({start} – {end}), "
                             "left out", start=start, end=end))
        return {}
    return {key: value for key, value in (("temporal_start", start), ("temporal_end", end))
            if value}


def _contacts(dataset: dict[str, Any], warnings: list[str]) -> list[dict[str, str]]:
    contacts = []
    for contact in dataset.get("contact", []):
        found = cleaning.contact(cleaning.text(contact.get("name")),
                                 cleaning.text(contact.get("email")), warnings)
        if found and found not in contacts:
            contacts.append(found)
    return contacts


def _media_type(value: Any) -> str:
    """"text/csv" from a media type or its IANA URI; "" for anything else."""
    text = _IANA.sub("", cleaning.text(value)).lower()
    return text if _MEDIA_TYPE.match(text) else ""


def _resource_format(resource: dict[str, Any], url: str) -> str:
    """The distribution's format name (CSV, GeoJSON…) if it gives one; else from its media
    type (table ``media_type_formats``); else from the file's extension."""
    given = cleaning.text(resource.get("format"))
    if _FORMAT_NAME.match(given):
        return given
    table = mapping()["media_type_formats"]
    for media_type in (_media_type(resource.get("mimetype")), _media_type(given)):
        if media_type in table:
            return table[media_type]
    extension = _EXTENSION.search(urlsplit(url).path)
    return extension[1].upper() if extension else ""


def _resources(dataset: dict[str, Any], warnings: list[str]) -> list[dict[str, Any]]:
    resources = []
    for resource in dataset.get("resources", []):
        url = next((u for u in (resource.get("download_url"), resource.get("url"),
                                resource.get("access_url")) if _is_url(u)), "")
        name = cleaning.text(resource.get("name"))
        if not url:
            warnings.append(_msg("distribution « {name} » without a download or access "
                                 "address, left out", name=name or "?"))
            continue
        mapped = {"name": name or url.rstrip("/").rsplit("/", 1)[-1] or url, "url": url,
                  "format": _resource_format(resource, url)}
        media_type = _media_type(resource.get("mimetype")) or _media_type(resource.get("format"))
        if media_type:
            mapped["mimetype"] = media_type
        if cleaning.text(resource.get("description")):
            mapped["description"] = _description(resource["description"])
        if str(resource.get("size", "")).isdigit():
            mapped["size"] = int(resource["size"])
        conforms_to = [u for u in resource.get("conforms_to", []) if _is_url(u)]
        if conforms_to:
            mapped["conforms_to"] = conforms_to
        resources.append(mapped)
    return resources


def _organisation(publisher: dict[str, str]) -> dict[str, str] | None:
    """The publisher as an organisation_create dict (named after it, created on first use
    by the base; an organisation of that name already there is used as is)."""
    name = cleaning.text(publisher.get("name"))
    slug = re.sub(r"[^a-z0-9]+", "-", cleaning.fold(name)).strip("-")[:100].rstrip("-")
    if len(slug) < 2:
        return None
    folded = cleaning.fold(name)
    body_type = next((rule["body_type"] for rule in mapping()["publisher_body_types"]
                      if re.search(rule["pattern"], folded)), "autre")
    organisation = {"name": slug, "title": name, "body_type": body_type}
    if _is_url(publisher.get("homepage")):
        organisation["website"] = publisher["homepage"]
    return organisation
