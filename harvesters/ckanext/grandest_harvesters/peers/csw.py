"""A CSW 2.0.2 catalogue of ISO 19139 records (a GéoGrandEst-like GeoNetwork), generated.

Records are plain dicts (:func:`generate_catalogue`) rendered as ``gmd:MD_Metadata`` on the
model of ``../shared/corpus/csw`` (Géo-IDE, Géoplateforme): INSPIRE theme keywords under
the GEMET thesaurus, INSEE geographic identifiers, licences as anchors, plain texts or use
limitations, maintenance frequencies, bounding boxes, contacts, WMS/WFS/download links.
Deterministic: a seeded ``random.Random``, no clock.

Serving: ``csw_routes(records)`` answers at :data:`CSW_PATH` (GeoNetwork's path)::

    ?service=CSW&version=2.0.2&request=GetRecords&outputSchema=http://www.isotc211.org/2005/gmd
     &elementSetName=full&startPosition=1&maxRecords=10[&constraint=OrganisationName = '…']
    ?service=CSW&version=2.0.2&request=GetRecordById&id=…&outputSchema=…

GET key-value pairs only (names case-insensitive); an output schema other than ISO 19139,
or an unknown request, gets an ``ows:ExceptionReport`` (HTTP 400) like the real servers.
The routes read ``records`` at each request (``records[:] = …`` changes the catalogue).
``loop_from=N`` makes every page from ``startPosition`` N on answer ``nextRecord=N``: a
catalogue whose paging never moves forward.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route

__all__ = [
    "CSW_PATH",
    "DEFAULT_SEED",
    "csw_routes",
    "generate_catalogue",
    "getrecords_document",
    "render_record",
    "without_record",
]

CSW_PATH = "/geonetwork/srv/fre/csw"
DEFAULT_SEED = 57463
GMD = "http://www.isotc211.org/2005/gmd"
MAX_RECORDS = 100            # GeoNetwork's default cap on maxRecords
TIMESTAMP = "2025-11-26T10:00:00Z"

# Commune -> (INSEE code, longitude, latitude of its centre).
PLACES: dict[str, tuple[str, float, float]] = {
    "Strasbourg": ("67482", 7.75, 48.58), "Metz": ("57463", 6.18, 49.11),
    "Nancy": ("54395", 6.18, 48.69), "Reims": ("51454", 4.03, 49.26),
    "Mulhouse": ("68224", 7.34, 47.75), "Colmar": ("68066", 7.36, 48.08),
    "Troyes": ("10387", 4.08, 48.30), "Charleville-Mézières": ("08105", 4.72, 49.77),
    "Épinal": ("88160", 6.45, 48.17), "Chaumont": ("52121", 5.14, 48.11),
    "Bar-le-Duc": ("55029", 5.16, 48.77), "Châlons-en-Champagne": ("51108", 4.37, 48.96),
}

# (title template, INSPIRE theme code, its French label in the GEMET thesaurus, keywords)
SUBJECTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Plan local d'urbanisme de {place}", "lu", "Usage des sols", ("PLU", "urbanisme")),
    ("Zones inondables de {place}", "nz", "Zones à risque naturel", ("inondation", "PPRI")),
    ("Réseau cyclable de {place}", "tn", "Réseaux de transport", ("vélo", "mobilité")),
    ("Sites Natura 2000 autour de {place}", "ps", "Sites protégés", ("Natura 2000",)),
    ("Bâtiments publics de {place}", "bu", "Bâtiments", ("patrimoine bâti",)),
    ("Stations de mesure de la qualité de l'air à {place}", "ef",
     "Installations de suivi environnemental", ("air", "pollution")),
    ("Parcelles agricoles autour de {place}", "af", "Installations agricoles et aquacoles",
     ("agriculture", "PAC")),
    ("Cours d'eau de {place}", "hy", "Hydrographie", ("rivières", "eau")),
    ("Adresses de {place}", "ad", "Adresses", ("BAN", "adresses")),
    ("Occupation du sol de {place}", "lc", "Occupation des terres", ("OCS GE",)),
)

ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("DREAL Grand Est", "sig.dreal-grand-est@developpement-durable.gouv.fr"),
    ("Région Grand Est", "geograndest@grandest.fr"),
    ("DDT du Bas-Rhin", "ddt-sig@bas-rhin.gouv.fr"),
    ("Eurométropole de Strasbourg", "sig@strasbourg.eu"),
)

# How a record states its licence: (otherConstraints anchor href, otherConstraints text,
# useLimitation text). The expected licence ids are in the harvester's tests.
LICENCES: tuple[tuple[str, str, str], ...] = (
    ("https://www.etalab.gouv.fr/licence-ouverte-open-licence",
     "Licence Ouverte / Open Licence version 2.0", ""),
    ("", "", "Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence."),
    ("", "Open Database License (ODbL)", ""),
    ("", "", "Réutilisation soumise à la licence ODbL 1.0"),
    ("", "Licence propriétaire du SIG, diffusion restreinte aux partenaires", ""),
)

FREQUENCIES = ("annually", "monthly", "asNeeded", "irregular", "continual", "weekly",
               "notPlanned", "unknown", "quarterly", "biannually")


def _identifier(rng: random.Random) -> str:
    return f"fr-geograndest-{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _record(rng: random.Random, index: int) -> dict[str, Any]:
    place = rng.choice(list(PLACES))
    code, lon, lat = PLACES[place]
    title, theme, theme_label, keywords = rng.choice(SUBJECTS)
    organisation, email = rng.choice(ORGANISATIONS)
    year = rng.randint(2012, 2024)
    half = round(rng.uniform(0.03, 0.12), 4)
    # Territory: an INSEE URI (anchor), a bare code, a prefixed keyword, or nothing.
    territory = ("uri", "code", "keyword", "none")[index % 4]
    return {
        "identifier": _identifier(rng),
        "hierarchy": "service" if index % 12 == 11 else ("series" if index % 9 == 4
                                                         else "dataset"),
        "title": title.format(place=place),
        "abstract": f"Données {theme_label.lower()} produites par {organisation} sur le "
                    f"territoire de {place}, mises à jour en {year}.",
        "inspire_theme": theme,
        "inspire_label": theme_label,
        "keywords": [*keywords, place],
        "place": place,
        "insee": code,
        "territory": territory,
        "bbox": (round(lon - half, 4), round(lat - half, 4), round(lon + half, 4),
                 round(lat + half, 4)),
        "organisation": organisation,
        "email": email,
        "licence": index % len(LICENCES),
        "frequency": FREQUENCIES[index % len(FREQUENCIES)],
        "created": f"{year - 1}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "published": f"{year}-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}",
        "revised": f"{year + 1}-1{rng.randint(0, 2)}-2{rng.randint(0, 8)}",
        "resources": rng.sample(("wms", "wfs", "zip", "pdf"), k=rng.randint(1, 4)),
    }


def generate_catalogue(n: int = 36, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` records (datasets, a few series, one service in twelve), the same for the same
    arguments; identifiers are unique."""
    rng = random.Random(seed)
    return [_record(rng, index) for index in range(n)]


def without_record(records: Sequence[dict[str, Any]], identifier: str) -> list[dict[str, Any]]:
    """The catalogue without the record ``identifier``."""
    return [r for r in records if r["identifier"] != identifier]


# --------------------------------------------------------------------------------------
# ISO 19139


def _string(value: str) -> str:
    return f"<gco:CharacterString>{escape(value)}</gco:CharacterString>"


def _anchor(href: str, value: str) -> str:
    return f"<gmx:Anchor xlink:href={quoteattr(href)}>{escape(value)}</gmx:Anchor>"


def _code(codelist: str, value: str) -> str:
    return (f'<gmd:{codelist} codeList="http://standards.iso.org/iso/19139/resources/'
            f'gmxCodelists.xml#{codelist}" codeListValue="{value}">{value}</gmd:{codelist}>')


def _date(value: str, kind: str) -> str:
    return (f"<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{value}</gco:Date></gmd:date>"
            f"<gmd:dateType>{_code('CI_DateTypeCode', kind)}</gmd:dateType></gmd:CI_Date>"
            "</gmd:date>")


def _keywords(record: dict[str, Any]) -> str:
    theme = (f"<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword>"
             f"{_string(record['inspire_label'])}</gmd:keyword><gmd:type>"
             f"{_code('MD_KeywordTypeCode', 'theme')}</gmd:type><gmd:thesaurusName>"
             f"<gmd:CI_Citation><gmd:title>{_string('GEMET - INSPIRE themes, version 1.0')}"
             f"</gmd:title>{_date('2008-06-01', 'publication')}</gmd:CI_Citation>"
             "</gmd:thesaurusName></gmd:MD_Keywords></gmd:descriptiveKeywords>")
    words = list(record["keywords"])
    if record["territory"] == "keyword":
        words.append(f"INSEE {record['insee']}")
    free = "".join(f"<gmd:keyword>{_string(word)}</gmd:keyword>" for word in words)
    return theme + f"<gmd:descriptiveKeywords><gmd:MD_Keywords>{free}</gmd:MD_Keywords>" \
                   "</gmd:descriptiveKeywords>"


def _constraints(record: dict[str, Any]) -> str:
    href, other, limitation = LICENCES[record["licence"]]
    parts = ["<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:accessConstraints>"
             f"{_code('MD_RestrictionCode', 'otherRestrictions')}</gmd:accessConstraints>"
             "<gmd:otherConstraints>"
             + _anchor("http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"
                       "noLimitations", "Pas de restriction d'accès public selon INSPIRE")
             + "</gmd:otherConstraints></gmd:MD_LegalConstraints></gmd:resourceConstraints>"]
    legal = f"<gmd:useConstraints>{_code('MD_RestrictionCode', 'license')}</gmd:useConstraints>"
    if limitation:
        legal = f"<gmd:useLimitation>{_string(limitation)}</gmd:useLimitation>" + legal
    if other:
        value = _anchor(href, other) if href else _string(other)
        legal += f"<gmd:otherConstraints>{value}</gmd:otherConstraints>"
    parts.append(f"<gmd:resourceConstraints><gmd:MD_LegalConstraints>{legal}"
                 "</gmd:MD_LegalConstraints></gmd:resourceConstraints>")
    return "".join(parts)


def _extent(record: dict[str, Any]) -> str:
    west, south, east, north = record["bbox"]
    elements = ("<gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
                f"<gmd:westBoundLongitude><gco:Decimal>{west}</gco:Decimal></gmd:westBoundLongitude>"
                f"<gmd:eastBoundLongitude><gco:Decimal>{east}</gco:Decimal></gmd:eastBoundLongitude>"
                f"<gmd:southBoundLatitude><gco:Decimal>{south}</gco:Decimal></gmd:southBoundLatitude>"
                f"<gmd:northBoundLatitude><gco:Decimal>{north}</gco:Decimal></gmd:northBoundLatitude>"
                "</gmd:EX_GeographicBoundingBox></gmd:geographicElement>")
    code = {"uri": _anchor(f"http://id.insee.fr/geo/commune/{record['insee']}", record["place"]),
            "code": _string(record["insee"])}.get(record["territory"])
    if code:
        elements += ("<gmd:geographicElement><gmd:EX_GeographicDescription>"
                     "<gmd:geographicIdentifier><gmd:MD_Identifier><gmd:code>"
                     f"{code}</gmd:code></gmd:MD_Identifier></gmd:geographicIdentifier>"
                     "</gmd:EX_GeographicDescription></gmd:geographicElement>")
    return f"<gmd:extent><gmd:EX_Extent>{elements}</gmd:EX_Extent></gmd:extent>"


def _online(url: str, protocol: str, name: str, function: str = "") -> str:
    parts = f"<gmd:linkage><gmd:URL>{escape(url)}</gmd:URL></gmd:linkage>"
    if protocol:
        parts += f"<gmd:protocol>{_string(protocol)}</gmd:protocol>"
    parts += f"<gmd:name>{_string(name)}</gmd:name>"
    if function:
        parts += f"<gmd:function>{_code('CI_OnLineFunctionCode', function)}</gmd:function>"
    return f"<gmd:onLine><gmd:CI_OnlineResource>{parts}</gmd:CI_OnlineResource></gmd:onLine>"


def online_resources(record: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(url, protocol, name, function) of the record's links to its data."""
    ows = f"https://www.geograndest.fr/geoserver/ows?layer={record['identifier'][-12:]}"
    links = {
        "wms": (f"{ows}&SERVICE=WMS&REQUEST=GetCapabilities", "OGC:WMS",
                f"{record['title']} (WMS)", ""),
        "wfs": (f"{ows}&SERVICE=WFS&REQUEST=GetCapabilities", "OGC:WFS",
                f"{record['title']} (WFS)", ""),
        "zip": (f"https://www.geograndest.fr/telechargement/{record['identifier']}.zip",
                "WWW:DOWNLOAD-1.0-http--download", "Téléchargement des données", "download"),
        "pdf": (f"https://www.geograndest.fr/documents/{record['identifier']}/notice.pdf",
                "WWW:LINK-1.0-http--link", "Notice", ""),
    }
    return [links[kind] for kind in record["resources"]]


def render_record(record: dict[str, Any], csw_url: str = "") -> str:
    """The record as ISO 19139 (``gmd:MD_Metadata``); ``csw_url`` adds the usual link to the
    record's XML (GetRecordById), which a harvester should not take for data."""
    onlines = "".join(_online(*link) for link in online_resources(record))
    if csw_url:
        onlines += _online(f"{csw_url}?service=CSW&version=2.0.2&request=GetRecordById&id="
                           f"{record['identifier']}&outputSchema={GMD}",
                           "WWW:LINK-1.0-http--link", "Vue XML des métadonnées")
    contact = ("<gmd:CI_ResponsibleParty><gmd:organisationName>"
               f"{_string(record['organisation'])}</gmd:organisationName><gmd:contactInfo>"
               "<gmd:CI_Contact><gmd:address><gmd:CI_Address><gmd:electronicMailAddress>"
               f"{_string(record['email'])}</gmd:electronicMailAddress></gmd:CI_Address>"
               "</gmd:address></gmd:CI_Contact></gmd:contactInfo><gmd:role>"
               f"{_code('CI_RoleCode', 'pointOfContact')}</gmd:role></gmd:CI_ResponsibleParty>")
    identification = "SV_ServiceIdentification" if record["hierarchy"] == "service" \
        else "MD_DataIdentification"
    return (
        f'<gmd:MD_Metadata xmlns:gmd="{GMD}" xmlns:gco="http://www.isotc211.org/2005/gco" '
        'xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f"<gmd:fileIdentifier>{_string(record['identifier'])}</gmd:fileIdentifier>"
        f"<gmd:language>{_code('LanguageCode', 'fre')}</gmd:language>"
        f"<gmd:hierarchyLevel>{_code('MD_ScopeCode', record['hierarchy'])}</gmd:hierarchyLevel>"
        f"<gmd:contact>{contact}</gmd:contact>"
        f"<gmd:dateStamp><gco:DateTime>{record['revised']}T09:00:00</gco:DateTime></gmd:dateStamp>"
        f"<gmd:identificationInfo><gmd:{identification}><gmd:citation><gmd:CI_Citation>"
        f"<gmd:title>{_string(record['title'])}</gmd:title>"
        f"{_date(record['created'], 'creation')}{_date(record['published'], 'publication')}"
        f"{_date(record['revised'], 'revision')}</gmd:CI_Citation></gmd:citation>"
        f"<gmd:abstract>{_string(record['abstract'])}</gmd:abstract>"
        f"<gmd:pointOfContact>{contact}</gmd:pointOfContact>"
        "<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation>"
        "<gmd:maintenanceAndUpdateFrequency>"
        f"{_code('MD_MaintenanceFrequencyCode', record['frequency'])}"
        "</gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation>"
        "</gmd:resourceMaintenance>"
        f"{_keywords(record)}{_constraints(record)}"
        f"<gmd:language>{_code('LanguageCode', 'fre')}</gmd:language>"
        f"{_extent(record)}</gmd:{identification}></gmd:identificationInfo>"
        "<gmd:distributionInfo><gmd:MD_Distribution><gmd:distributionFormat><gmd:MD_Format>"
        f"<gmd:name>{_string('ESRI Shapefile')}</gmd:name></gmd:MD_Format>"
        "</gmd:distributionFormat><gmd:transferOptions><gmd:MD_DigitalTransferOptions>"
        f"{onlines}</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution>"
        "</gmd:distributionInfo></gmd:MD_Metadata>"
    )


# --------------------------------------------------------------------------------------
# Serving


def _exception(code: str, locator: str, text: str) -> Response:
    # CSW 2.0.2 servers (GeoNetwork, pycsw) send their exception reports with HTTP 200.
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
            f'<ows:Exception exceptionCode="{code}" locator="{locator}">'
            f"<ows:ExceptionText>{escape(text)}</ows:ExceptionText></ows:Exception>"
            "</ows:ExceptionReport>")
    return 200, {"Content-Type": "application/xml; charset=utf-8"}, body.encode("utf-8")


def _xml(body: str) -> Response:
    return (200, {"Content-Type": "application/xml; charset=utf-8"},
            ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8"))


def getrecords_document(records_xml: Sequence[str], matched: int | None = None,
                        next_record: int = 0) -> str:
    """A GetRecords response holding ``records_xml`` (ISO 19139 or anything else)."""
    matched = len(records_xml) if matched is None else matched
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
            f'<csw:SearchStatus timestamp="{TIMESTAMP}"/>'
            f'<csw:SearchResults numberOfRecordsMatched="{matched}" '
            f'numberOfRecordsReturned="{len(records_xml)}" elementSet="full" '
            f'nextRecord="{next_record}">{"".join(records_xml)}</csw:SearchResults>'
            "</csw:GetRecordsResponse>")


_CONSTRAINT = re.compile(r"^\s*OrganisationName\s*=\s*'(?P<value>[^']*)'\s*$", re.IGNORECASE)


def csw_routes(records: list[dict[str, Any]], *, loop_from: int | None = None) -> list[Route]:
    """The CSW endpoint at :data:`CSW_PATH` and GeoNetwork's record page beside it."""

    def getrecords(request: PeerRequest) -> Response:
        if (request.arg_ci("outputSchema") or "") != GMD:
            return _exception("InvalidParameterValue", "outputSchema",
                              "This catalogue serves ISO 19139 (outputSchema "
                              f"{GMD}) only")
        try:
            start = int(request.arg_ci("startPosition") or 1)
            size = min(int(request.arg_ci("maxRecords") or 10), MAX_RECORDS)
        except ValueError:
            return _exception("InvalidParameterValue", "startPosition",
                              "startPosition and maxRecords are whole numbers")
        selected = list(records)
        constraint = request.arg_ci("constraint")
        if constraint:
            found = _CONSTRAINT.match(constraint)
            if not found:
                return _exception("InvalidParameterValue", "constraint",
                                  "Only OrganisationName = '…' is understood here")
            selected = [r for r in selected if r["organisation"] == found["value"]]
        page = selected[start - 1:start - 1 + size] if start >= 1 else []
        following = start + len(page)
        next_record = following if following <= len(selected) else 0
        if loop_from is not None and start >= loop_from:
            next_record = loop_from
        csw_url = request.base_url + request.path
        document = getrecords_document([render_record(r, csw_url) for r in page],
                                       len(selected), next_record)
        return 200, {"Content-Type": "application/xml; charset=utf-8"}, document.encode("utf-8")

    def endpoint(request: PeerRequest) -> Response:
        operation = (request.arg_ci("request") or "").lower()
        if operation == "getrecords":
            return getrecords(request)
        if operation == "getrecordbyid":
            wanted = request.arg_ci("id")
            record = next((r for r in records if r["identifier"] == wanted), None)
            if record is None:
                return _exception("InvalidParameterValue", "id", f"No record {wanted}")
            return _xml('<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/'
                        f'csw/2.0.2">{render_record(record)}</csw:GetRecordByIdResponse>')
        return _exception("OperationNotSupported", "request",
                          f"Operation {operation or '(none)'} is not served by this catalogue")

    def record_page(_request: PeerRequest) -> Response:
        # GeoNetwork's page is an application: the record comes in the URL's #fragment.
        items = "".join(f"<li id={quoteattr(r['identifier'])}>{escape(r['title'])}</li>"
                        for r in records)
        html = (f"<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Catalogue"
                f"</title><h1>Catalogue (GeoNetwork simulé)</h1><ul>{items}</ul></html>")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode("utf-8")

    return [
        Route(CSW_PATH, endpoint),
        Route(CSW_PATH.rsplit("/", 1)[0] + "/catalog.search", record_page),
    ]
