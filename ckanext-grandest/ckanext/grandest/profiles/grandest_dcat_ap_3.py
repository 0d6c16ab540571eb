"""The regional profile, on top of ``euro_dcat_ap_3``: vocabulary codes <-> URIs.

The schema stores short codes (themes "ENVI", frequency "ANNUAL", territories
"commune:67482", licence "lov2", language "fr"); DCAT-AP wants the EU and INSEE URIs.
This profile runs after ``euro_dcat_ap_3`` and replaces what that profile wrote from
the codes, and reads the URIs back into codes when parsing (DCAT harvesting).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import ADMS, DCAT, DCT, FOAF, GSP, RDFProfile
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SKOS, Namespace

from ckanext.grandest import vocabularies as vocab

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
# CKAN's ``hash`` says nothing of its algorithm; a hex digest's length does.
CHECKSUM_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU"}
CODE_OF_LANGUAGE = {EU_LANGUAGE + eu: code for code, eu in LANGUAGES.items()}

# Regional fields that the parent profiles may have put in extras while parsing.
REGIONAL_FIELDS = ("theme", "frequency", "language", "territorial_coverage", "bbox",
                   "temporal_start", "temporal_end", "remote_id", "alternate_identifier",
                   "spatial_uri", "spatial_text", "spatial_bbox", "spatial")


class GrandEstDCATAP3Profile(RDFProfile):
    """Regional fields of Open Data Grand Est as DCAT-AP 3 (and back)."""

    # -- dataset dict -> graph ----------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        themes = [vocab.themes()[c] for c in _list(dataset_dict, "theme") if c in vocab.themes()]
        self._replace_concepts(dataset_ref, DCAT.theme, SKOS.Concept, themes)
        frequency = vocab.frequencies().get(dataset_dict.get("frequency") or "")
        self._replace_concepts(dataset_ref, DCT.accrualPeriodicity, DCT.Frequency,
                               [frequency] if frequency else [])
        language = LANGUAGES.get(dataset_dict.get("language") or "fr")
        self._replace_concepts(dataset_ref, DCT.language, DCT.LinguisticSystem,
                               [{"uri": EU_LANGUAGE + language}] if language else [])
        self._add_spatial(dataset_dict, dataset_ref)
        self._add_licence(dataset_dict, dataset_ref)
        self._add_formats(dataset_ref)
        self._add_media_types(dataset_ref)
        self._add_checksums(dataset_ref)
        if dataset_dict.get("remote_id"):
            identifier = BNode()
            self.g.add((dataset_ref, ADMS.identifier, identifier))
            self.g.add((identifier, RDF.type, ADMS.Identifier))
            self.g.add((identifier, SKOS.notation, Literal(dataset_dict["remote_id"])))
        if dataset_dict.get("remote_url"):
            self.g.set((dataset_ref, DCAT.landingPage, URIRef(dataset_dict["remote_url"])))

    def _replace_concepts(self, subject: URIRef, predicate: URIRef, rdf_type: URIRef,
                          concepts: list[dict[str, Any]]) -> None:
        """Replaces the values of ``predicate`` by vocabulary concepts, typed and labelled."""
        self.g.remove((subject, predicate, None))
        for concept in concepts:
            uri = URIRef(concept["uri"])
            self.g.add((subject, predicate, uri))
            self.g.add((uri, RDF.type, rdf_type))
            for lang, label in concept.get("labels", {}).items():
                self.g.add((uri, SKOS.prefLabel, Literal(label, lang=lang)))

    def _add_spatial(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        for key in _list(dataset_dict, "territorial_coverage"):
            territory, uri = vocab.territory(key), vocab.territory_uri(key)
            if not (territory and uri):
                continue
            self.g.add((dataset_ref, DCT.spatial, URIRef(uri)))
            self.g.add((URIRef(uri), RDF.type, DCT.Location))
            self.g.add((URIRef(uri), SKOS.prefLabel, Literal(territory.name, lang="fr")))
        if dataset_dict.get("bbox"):
            west, south, east, north = dataset_dict["bbox"].split(",")
            wkt = (f"POLYGON(({west} {south}, {east} {south}, {east} {north}, "
                   f"{west} {north}, {west} {south}))")
            location = BNode()
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))

    def _add_licence(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """DCAT-AP puts the licence on each distribution, as a licence document URI."""
        licence = vocab.licences().get(dataset_dict.get("license_id") or "")
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            self.g.remove((distribution, DCT.license, None))
            if licence and licence.get("uri"):
                uri = URIRef(licence["uri"])
                self.g.add((distribution, DCT.license, uri))
                # ckanext-dcat types licences "UnknownIPR" without a concept: drop it.
                self.g.remove((uri, DCT.type, None))
                self.g.add((uri, RDF.type, DCT.LicenseDocument))
                self.g.set((uri, DCT.title, Literal(licence["title"])))

    def _add_formats(self, dataset_ref: URIRef) -> None:
        """dct:format must be a media type or extent: the EU file type, else nothing."""
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            for value in list(self.g.objects(distribution, DCT["format"])):
                self.g.remove((distribution, DCT["format"], value))
                uri = vocab.file_type_uri(str(value).rsplit("/", 1)[-1])
                if uri:
                    self.g.add((distribution, DCT["format"], URIRef(uri)))
                    self.g.add((URIRef(uri), RDF.type, DCT.MediaTypeOrExtent))

    def _add_media_types(self, dataset_ref: URIRef) -> None:
        """dcat:mediaType must be an IANA media type IRI, not the literal CKAN stores."""
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            for value in list(self.g.objects(distribution, DCAT.mediaType)):
                if isinstance(value, URIRef):
                    continue
                self.g.remove((distribution, DCAT.mediaType, value))
                media_type = str(value).strip().lower()
                if media_type.count("/") == 1 and " " not in media_type:
                    uri = URIRef(IANA_MEDIA_TYPES + media_type)
                    self.g.add((distribution, DCAT.mediaType, uri))
                    self.g.add((uri, RDF.type, DCT.MediaType))

    def _add_checksums(self, dataset_ref: URIRef) -> None:
        """An spdx:Checksum needs its algorithm: known from the digest's length, or the
        checksum is left out rather than published invalid."""
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            for checksum in list(self.g.objects(distribution, SPDX.checksum)):
                if (checksum, SPDX.algorithm, None) in self.g:
                    continue
                value = str(self.g.value(checksum, SPDX.checksumValue) or "")
                algorithm = CHECKSUM_ALGORITHMS.get(len(value))
                if algorithm and _is_hex(value):
                    uri = SPDX[f"checksumAlgorithm_{algorithm}"]
                    self.g.add((checksum, SPDX.algorithm, uri))
                    self.g.add((uri, RDF.type, SPDX.ChecksumAlgorithm))
                else:
                    self.g.remove((distribution, SPDX.checksum, checksum))
                    self.g.remove((checksum, None, None))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: URIRef) -> None:
        language = LANGUAGES.get(tk.config["ckan.locale_default"], "FRA")
        self._replace_concepts(catalog_ref, DCT.language, DCT.LinguisticSystem,
                               [{"uri": EU_LANGUAGE + language}])
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        publisher = URIRef(tk.config["ckanext.grandest.catalog.publisher_uri"])
        self.g.set((catalog_ref, DCT.publisher, publisher))
        self.g.add((publisher, RDF.type, FOAF.Agent))
        self.g.set((publisher, FOAF.name,
                    Literal(tk.config["ckanext.grandest.catalog.publisher_name"])))

    # -- graph -> dataset dict ----------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        dataset_dict["extras"] = [
            e for e in dataset_dict.get("extras", []) if e["key"] not in REGIONAL_FIELDS
        ]
        uris = lambda predicate: [str(o) for o in self.g.objects(dataset_ref, predicate)]  # noqa: E731

        themes = [vocab.theme_from_uri(u) for u in uris(DCAT.theme)]
        dataset_dict["theme"] = [t for t in themes if t]
        frequencies = [vocab.frequency_from_uri(u) for u in uris(DCT.accrualPeriodicity)]
        frequency = next((f for f in frequencies if f), None)
        if frequency:
            dataset_dict["frequency"] = frequency
        else:
            dataset_dict.pop("frequency", None)
        languages = [CODE_OF_LANGUAGE.get(u) for u in uris(DCT.language)]
        dataset_dict["language"] = next((code for code in languages if code), "fr")

        keys = [vocab.territory_from_uri(u) for u in uris(DCT.spatial)]
        dataset_dict["territorial_coverage"] = list(dict.fromkeys(k for k in keys if k))
        bbox = self._bbox(dataset_ref)
        if bbox:
            dataset_dict["bbox"] = bbox

        start, end = self._time_interval(dataset_ref, DCT.temporal, dcat_ap_version=2)
        for key, value in (("temporal_start", start), ("temporal_end", end)):
            if value:
                dataset_dict[key] = value[:10]
        licence = self._licence(dataset_ref)
        if licence:
            dataset_dict["license_id"] = licence
        if dataset_dict.get("url"):
            # A harvested dataset's landing page is its page at the source.
            dataset_dict["remote_url"] = dataset_dict["url"]
        notations = [str(n) for i in self.g.objects(dataset_ref, ADMS.identifier)
                     for n in self.g.objects(i, SKOS.notation)]
        if notations:
            dataset_dict["remote_id"] = notations[0]
        for resource in dataset_dict.get("resources", []):
            resource["format"] = _ckan_format(resource.get("format"))
        return dataset_dict

    def _bbox(self, dataset_ref: URIRef) -> str | None:
        for location in self.g.objects(dataset_ref, DCT.spatial):
            for geometry in self.g.objects(location, DCAT.bbox):
                numbers = _coordinates(str(geometry))
                if len(numbers) >= 8:
                    xs, ys = numbers[0::2], numbers[1::2]
                    return ",".join(f"{n:g}" for n in (min(xs), min(ys), max(xs), max(ys)))
        return None

    def _licence(self, dataset_ref: URIRef) -> str | None:
        candidates = list(self.g.objects(dataset_ref, DCT.license))
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            candidates += list(self.g.objects(distribution, DCT.license))
        for candidate in candidates:
            texts = [str(candidate), *map(str, self.g.objects(candidate, DCT.title))]
            for text in texts:
                licence = vocab.licence_for_text(text)
                if licence:
                    return licence
        return None


def _list(dataset_dict: dict[str, Any], key: str) -> list[str]:
    value = dataset_dict.get(key) or []
    return [value] if isinstance(value, str) else list(value)


def _ckan_format(value: str | None) -> str | None:
    """An EU file-type URI back to CKAN's format name ("…/file-type/GEOJSON" -> "GeoJSON")."""
    if value and value.startswith(vocab.FILE_TYPE):
        return tk.h.unified_resource_format(value.rsplit("/", 1)[-1].replace("_", "-"))
    return value


def _coordinates(geometry: str) -> list[float]:
    """The coordinates of a WKT polygon or of a GeoJSON geometry, flattened (x, y, x, y…)."""
    if geometry.lstrip().startswith("{"):
        try:
            found = json.loads(geometry).get("coordinates", [])
        except (ValueError, AttributeError):
            return []
        numbers: list[float] = []
        pending = [found]
        while pending:
            item = pending.pop(0)
            if isinstance(item, list):
                pending[:0] = item
            elif isinstance(item, int | float) and not isinstance(item, bool):
                numbers.append(float(item))
        return numbers
    return [float(n) for n in geometry.replace("(", " ").replace(")", " ").replace(",", " ")
            .split() if _is_number(n)]


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
