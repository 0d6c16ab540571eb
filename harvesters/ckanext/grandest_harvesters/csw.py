"""Harvester of CSW catalogues with ISO 19139 records (GeoNetwork: GéoGrandEst, Géo-IDE…).

ckanext-spatial's CSW harvester is not used: it fetches outside the shared base (no size
cap, no SSRF guard, no retries) and writes spatial extras that clash with the regional
scheming schema; OWSLib reads the records (``owslib.iso.MD_Metadata``) and the mapping is
ours.

Gather: CSW 2.0.2 ``GetRecords`` as GET key-value pairs (the shared fetching only GETs),
``outputSchema`` ISO 19139 (gmd), ``ElementSetName`` full, ``PAGE_SIZE`` records a page
(``page_size`` in the source configuration), from ``startPosition`` 1 to the
``nextRecord`` of each answer until 0 or past ``numberOfRecordsMatched``. A ``nextRecord``
that does not move forward, more pages than ``ckanext.grandest_harvesters.csw.max_pages``,
or fewer records than announced stop the listing with an error (nothing is withdrawn for
an incomplete listing). ``cql`` in the configuration filters the catalogue (a CSW
constraint in CQL, e.g. ``OrganisationName = 'DREAL Grand Est'``). Records are keyed on
``gmd:fileIdentifier``; only datasets and series are harvested (``hierarchy_levels`` of
the mapping). A catalogue answering with other records than ISO 19139 (GeoDCAT-AP RDF,
Dublin Core) is rejected with that reason.

XML: every document is parsed by :data:`SAFE_PARSER` (no entity resolution, no network,
no DTD, no huge trees); a document that declares entities is refused outright.

Mapping: ``mappings/csw.yaml`` (field by field in its header). OWSLib leaves out the
maintenance frequency, the geographic identifiers and the anchors of a keyword block that
also has plain keywords: these are read from the record's XML directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import requests
import yaml
from ckanext.harvest.interfaces import IHarvester
from lxml import etree
from owslib.iso import MD_Metadata

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest_harvesters import cleaning, config
from ckanext.grandest_harvesters.base import (
    GrandEstHarvester,
    MappingError,
    RemoteRecord,
    SkippedRecord,
)
from ckanext.grandest_harvesters.fetching import FetchError, fetch

MAPPING = Path(__file__).parent / "mappings" / "csw.yaml"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
GMD = "http://www.isotc211.org/2005/gmd"
NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "gmd": GMD,
    "gmi": "http://www.isotc211.org/2005/gmi",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "xlink": "http://www.w3.org/1999/xlink",
    "ows": "http://www.opengis.net/ows",
}
_ISO_ROOTS = {f"{{{GMD}}}MD_Metadata", f"{{{NS['gmi']}}}MI_Metadata"}
# What a catalogue sends instead of ISO 19139, by root element: named in the error.
_OTHER_SCHEMAS = {
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF": "GeoDCAT-AP (RDF/XML)",
    f"{{{NS['csw']}}}Record": "Dublin Core (csw:Record)",
    f"{{{NS['csw']}}}SummaryRecord": "Dublin Core (csw:SummaryRecord)",
    f"{{{NS['csw']}}}BriefRecord": "Dublin Core (csw:BriefRecord)",
}
# GetRecords parameters: those of a source URL are replaced by the harvester's own.
_CSW_PARAMS = {"service", "version", "request", "typenames", "namespace", "outputschema",
               "elementsetname", "resulttype", "startposition", "maxrecords", "constraint",
               "constraintlanguage", "constraint_language_version", "id", "outputformat"}
_GEONETWORK_CSW = re.compile(r"^(?P<srv>.*/srv/[a-z]{2,3})/csw[^/]*$")
_INSPIRE_THEME_URI = re.compile(r"^https?://inspire\.ec\.europa\.eu/theme/([a-z]{2})/?$")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')]+")
_CODE = re.compile(r"^[0-9][0-9AB][0-9]{0,7}$")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,7})$")

# Every XML document the harvester reads goes through these parsers: no external (nor
# internal) entity is expanded, nothing is fetched, no DTD is loaded, no huge tree built.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False)
# The same, for answers declared UTF-8 but sent in Windows-1252 (French servers).
_SAFE_CP1252_PARSER = etree.XMLParser(resolve_entities=False, no_network=True,
                                      load_dtd=False, huge_tree=False, encoding="cp1252")
_ENCODING_ERRORS = {etree.ErrorTypes.ERR_INVALID_ENCODING, etree.ErrorTypes.ERR_INVALID_CHAR}


@cache
def mapping() -> dict[str, Any]:
    """The mapping tables, with their labels folded for matching."""
    with MAPPING.open(encoding="utf-8") as f:
        table = yaml.safe_load(f)
    table["inspire_labels"] = {cleaning.fold(label): code for code, entry in
                               table["inspire_themes"].items() for label in entry["labels"]}
    table["distribution_formats"] = {cleaning.fold(name): fmt for name, fmt in
                                     table["distribution_formats"].items()}
    table["licence_patterns"] = [(re.compile(entry["pattern"]), entry["licence"])
                                 for entry in table["licence_patterns"]]
    table["territory_prefixes"] = {cleaning.fold(prefix): level for level, prefixes in
                                   table["territory_prefixes"].items() for prefix in prefixes}
    return table


# -- XML ---------------------------------------------------------------------------------


def parse_xml(data: bytes, url: str) -> etree._Element:
    """The root element of a document read with the safe parser; FetchError otherwise."""
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError as e:
        if e.code not in _ENCODING_ERRORS:
            raise _unreadable(url, e) from None
        try:
            root = etree.fromstring(data, _SAFE_CP1252_PARSER)
        except etree.XMLSyntaxError as again:
            raise _unreadable(url, again) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FetchError(tk._("The answer of {url} declares XML entities (DOCTYPE): refused, "
                              "for such entities can read files or addresses of the "
                              "portal's network").format(url=url))
    return root


def _unreadable(url: str, error: Exception) -> FetchError:
    return FetchError(tk._("Unreadable XML from the CSW catalogue at {url}: {error}")
                      .format(url=url, error=error))


# -- the catalogue's URLs ----------------------------------------------------------------


def endpoint(source_url: str) -> str:
    """The CSW endpoint: the source URL without its fragment nor GetRecords parameters."""
    parts = urlsplit(source_url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _CSW_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def _with_params(url: str, params: dict[str, Any]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def getrecords_url(csw: str, start: int, page_size: int, cql: str = "") -> str:
    params = {
        "service": "CSW", "version": "2.0.2", "request": "GetRecords",
        "typeNames": "gmd:MD_Metadata", "namespace": f"xmlns(gmd={GMD})",
        "outputSchema": GMD, "elementSetName": "full", "resultType": "results",
        "startPosition": start, "maxRecords": page_size,
    }
    if cql:
        params.update(constraintLanguage="CQL_TEXT", constraint_language_version="1.1.0",
                      constraint=cql)
    return _with_params(csw, params)


def record_url(csw: str, identifier: str) -> str:
    """The record's page: GeoNetwork's own for a ``…/srv/<lang>/csw`` endpoint, else the
    record itself (GetRecordById)."""
    found = _GEONETWORK_CSW.match(urlsplit(csw)._replace(query="").geturl())
    if found:
        return f"{found['srv']}/catalog.search#/metadata/{identifier}"
    return _with_params(csw, {"service": "CSW", "version": "2.0.2",
                              "request": "GetRecordById", "id": identifier,
                              "outputSchema": GMD, "elementSetName": "full"})


# -- paging ------------------------------------------------------------------------------


def _int_attribute(results: etree._Element, name: str, url: str) -> int:
    value = results.get(name)
    try:
        return int(value) if value not in (None, "") else 0
    except ValueError:
        raise FetchError(tk._("Unexpected answer from {url}: {name}={value} is not a number")
                         .format(url=url, name=name, value=value)) from None


def _search_results(root: etree._Element, url: str) -> etree._Element:
    if root.tag in (f"{{{NS['ows']}}}ExceptionReport",
                    "{http://www.opengis.net/ows/1.1}ExceptionReport"):
        message = " ".join(" ".join(root.itertext()).split())
        raise FetchError(tk._("The CSW catalogue at {url} answered with an error: {message}")
                         .format(url=url, message=message[:500]))
    results = root.find("csw:SearchResults", NS)
    if root.tag != f"{{{NS['csw']}}}GetRecordsResponse" or results is None:
        raise FetchError(tk._("Unexpected answer from {url}: this is not a CSW 2.0.2 "
                              "GetRecords response").format(url=url))
    return results


def catalogue_records(csw: str, page_size: int = PAGE_SIZE, cql: str = ""
                      ) -> Iterator[etree._Element]:
    """Every record of the catalogue, page after page; FetchError if the listing is not
    complete (an error, a loop, too many pages, fewer records than announced)."""
    session = requests.Session()
    start, pages, received, matched = 1, 0, 0, 0
    max_pages = config.csw_max_pages()
    while True:
        if pages >= max_pages:
            raise FetchError(tk._("The catalogue was still paging after {pages} pages "
                                  "(ckanext.grandest_harvesters.csw.max_pages): listing "
                                  "stopped").format(pages=pages))
        url = getrecords_url(csw, start, page_size, cql)
        results = _search_results(parse_xml(fetch(url, accept="application/xml",
                                                  session=session).body, url), url)
        pages += 1
        matched = _int_attribute(results, "numberOfRecordsMatched", url)
        next_record = _int_attribute(results, "nextRecord", url)
        records = [child for child in results if isinstance(child.tag, str)]
        if records and not any(r.tag in _ISO_ROOTS for r in records):
            kind = _OTHER_SCHEMAS.get(records[0].tag, records[0].tag)
            raise FetchError(tk._("The catalogue at {url} answers with {kind} records, not "
                                  "ISO 19139 (gmd:MD_Metadata): this harvester reads ISO "
                                  "19139 only").format(url=url, kind=kind))
        yield from records
        received += len(records)
        if next_record == 0 or next_record > matched:
            break
        if next_record <= start:
            raise FetchError(tk._("The catalogue's next page does not move forward "
                                  "(nextRecord={next} after startPosition={start}): "
                                  "listing stopped").format(next=next_record, start=start))
        start = next_record
    if received < matched:
        raise FetchError(tk._("The catalogue announced {total} records but listed only "
                              "{received}").format(total=matched, received=received))


# -- the harvester -----------------------------------------------------------------------


class CSWHarvester(GrandEstHarvester):
    p.implements(IHarvester)

    platform = "CSW (ISO 19139)"

    def info(self) -> dict[str, str]:
        return {
            "name": "grandest_csw",
            "title": "CSW / ISO 19139 (GeoNetwork)",
            "description": tk._("A geographic catalogue (GeoNetwork such as GéoGrandEst): "
                                "its ISO 19139 records through CSW 2.0.2"),
        }

    def check_config(self, parsed: dict[str, Any]) -> None:
        page_size = parsed.get("page_size", PAGE_SIZE)
        if not isinstance(page_size, int) or isinstance(page_size, bool) \
                or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(tk._("page_size must be a whole number from 1 to {max}")
                             .format(max=MAX_PAGE_SIZE))
        if not isinstance(parsed.get("cql", ""), str):
            raise ValueError(tk._("cql must be a CQL constraint (a string)"))

    # -- gather -------------------------------------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord | SkippedRecord]:
        csw = endpoint(source_url)
        levels = set(mapping()["hierarchy_levels"])
        records = catalogue_records(csw, source_config.get("page_size", PAGE_SIZE),
                                    source_config.get("cql", ""))
        for position, record in enumerate(records, start=1):
            if record.tag not in _ISO_ROOTS:
                yield SkippedRecord(tk._("Record {position} of the catalogue is not an ISO "
                                         "19139 record ({tag}): skipped")
                                    .format(position=position, tag=record.tag))
                continue
            identifier = _text(record.find("gmd:fileIdentifier/*", NS))
            if not identifier:
                title = _text(record.find("gmd:identificationInfo/*/gmd:citation/*/gmd:title/*",
                                          NS))
                yield SkippedRecord(tk._("Record {position} of the catalogue ({title}) has no "
                                         "fileIdentifier: skipped")
                                    .format(position=position, title=title or "?"))
                continue
            level = record.find("gmd:hierarchyLevel/gmd:MD_ScopeCode", NS)
            level_code = (level.get("codeListValue") or _text(level)) if level is not None \
                else "dataset"
            if level_code not in levels:
                continue     # a service, an application…: no dataset to publish
            xml = etree.tostring(record, encoding="unicode")
            yield RemoteRecord(identifier, {"xml": xml, "catalogue": csw})

    # -- mapping ------------------------------------------------------------------------

    def map_record(self, content: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        try:
            element = etree.fromstring(content["xml"].encode("utf-8"), SAFE_PARSER)
            record = MD_Metadata(element)
        except Exception as e:     # OWSLib trips on some malformed records
            raise MappingError(tk._("The ISO 19139 record cannot be read: {error}")
                               .format(error=e)) from None
        identifier = cleaning.text(record.identifier)
        identification = _identification(record)
        title = cleaning.text(identification.title if identification else None)
        if not title:
            raise MappingError(tk._("ISO 19139 record {id} has no title: it cannot be "
                                    "published").format(id=identifier))
        table = mapping()
        keywords = _keywords(element)
        dataset: dict[str, Any] = {
            "title": title,
            "notes": cleaning.text(identification.abstract) or title,
            "tags": cleaning.tags(text for text, _, _ in keywords),
            "theme": _themes(keywords, table),
            "territorial_coverage": _coverage(element, keywords, table),
            "license_id": _licence(identification, warnings, table),
            "identifier": identifier,
            "remote_id": identifier,
            "remote_url": record_url(content["catalogue"], identifier),
            "resources": _resources(record, table),
            **_dates(identification, warnings),
            **_temporal(identification, warnings),
        }
        bbox = _bbox(identification, warnings)
        if bbox:
            dataset["bbox"] = bbox
        frequency = _frequency(element, table, warnings)
        if frequency:
            dataset["frequency"] = frequency
        language = _language(record, identification, table)
        if language:
            dataset["language"] = language
        contact = _contact(record, identification, warnings)
        if contact:
            dataset["contact"] = [contact]
        return dataset


# -- mapping helpers ----------------------------------------------------------------------


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _identification(record: MD_Metadata) -> Any:
    """The dataset's identification (the first MD_DataIdentification), else the first."""
    found = [i for i in record.identification if getattr(i, "identtype", "") == "dataset"]
    return (found or record.identification or [None])[0]


def _keywords(element: etree._Element) -> list[tuple[str, str, str]]:
    """Every keyword as (text, anchor URL, thesaurus title), plain and anchored alike."""
    found = []
    for block in element.iterfind("gmd:identificationInfo/*/gmd:descriptiveKeywords/"
                                  "gmd:MD_Keywords", NS):
        thesaurus = _text(block.find("gmd:thesaurusName/*/gmd:title/*", NS))
        for keyword in block.iterfind("gmd:keyword/*", NS):
            text = _text(keyword)
            href = cleaning.text(keyword.get(f"{{{NS['xlink']}}}href"))
            if text or href:
                found.append((text, href, thesaurus))
    return found


def _themes(keywords: list[tuple[str, str, str]], table: dict[str, Any]) -> list[str]:
    """EU data themes of the INSPIRE themes among the keywords (by URI, or by label in an
    INSPIRE themes thesaurus)."""
    codes = []
    markers = [cleaning.fold(marker) for marker in table["inspire_thesaurus_markers"]]
    for text, href, thesaurus in keywords:
        found = _INSPIRE_THEME_URI.match(href)
        if found:
            codes.append(found[1])
        elif any(marker in cleaning.fold(thesaurus) for marker in markers):
            codes.append(table["inspire_labels"].get(cleaning.fold(text)))
    themes = [theme for code in codes if code in table["inspire_themes"]
              for theme in table["inspire_themes"][code]["themes"]]
    return list(dict.fromkeys(themes))


def _territory(value: str, table: dict[str, Any], *, bare: bool) -> str | None:
    """The territory of Grand Est a code names (INSEE URI, prefixed code, or a bare code
    when ``bare``), or None."""
    value = value.strip()
    if value.lower().startswith(("http://", "https://")):
        return vocab.territory_from_uri(value)
    head, _, code = value.replace("=", " ").replace(":", " ").rpartition(" ")
    code = code.strip().upper()
    if head.strip():
        level = table["territory_prefixes"].get(cleaning.fold(head))
        keys = [f"{level}:{code}"] if level else []
    elif bare and _CODE.match(code):
        level = table["bare_code_levels"].get(str(len(code)))
        keys = [f"{level}:{code}"] if level else []
    else:
        keys = []
    return next((key for key in keys if vocab.territory(key)), None)


def _coverage(element: etree._Element, keywords: list[tuple[str, str, str]],
              table: dict[str, Any]) -> list[str]:
    """Territories of Grand Est named by the geographic identifiers (URIs, codes) and by
    the keywords (URIs, prefixed codes); anything else is left out."""
    keys = []
    for code in element.iterfind("gmd:identificationInfo/*/gmd:extent/*/gmd:geographicElement/"
                                 "gmd:EX_GeographicDescription/gmd:geographicIdentifier/*/"
                                 "gmd:code/*", NS):
        for value in (code.get(f"{{{NS['xlink']}}}href"), _text(code)):
            if value:
                keys.append(_territory(value, table, bare=True))
    for text, href, _ in keywords:
        for value in (href, text):
            if value:
                keys.append(_territory(value, table, bare=False))
    return list(dict.fromkeys(key for key in keys if key))


def _licence_in(text: str, url: str, table: dict[str, Any]) -> str | None:
    for candidate in (url, text, *_URL_IN_TEXT.findall(text)):
        licence = vocab.licence_for_text(candidate.rstrip(".,;")) if candidate else None
        if licence:
            return licence
    lowered = f"{url} {text}".lower()
    return next((licence for pattern, licence in table["licence_patterns"]
                 if pattern.search(lowered)), None)


def _licence(identification: Any, warnings: list[str], table: dict[str, Any]) -> str:
    """The licence named in the constraints (otherConstraints, then useLimitation);
    "notspecified", with a warning when the record declares a licence that is not
    recognised."""
    if identification is None:
        return "notspecified"
    urls = list(getattr(identification, "otherconstraints_url", []) or [])
    constraints = [(text or "", urls[i] if i < len(urls) else "")
                   for i, text in enumerate(identification.otherconstraints or [])]
    limitation_urls = list(identification.uselimitation_url or [])
    # OWSLib lists plain useLimitation texts first, then the anchored ones with their URLs.
    plain = len(identification.uselimitation) - len(limitation_urls)
    constraints += [(text or "", limitation_urls[i - plain] if i >= plain else "")
                    for i, text in enumerate(identification.uselimitation)]
    for text, url in constraints:
        licence = _licence_in(cleaning.text(text), cleaning.text(url), table)
        if licence:
            return licence
    if "license" in (identification.useconstraints or []):
        warnings.append(tk._("the record declares a licence that its constraints do not "
                             "name recognisably, recorded as not specified"))
    return "notspecified"


def _dates(identification: Any, warnings: list[str]) -> dict[str, str]:
    """issued: the publication date (else the creation date); modified: the latest
    revision. As the source dates them, never the harvest's date."""
    by_type: dict[str, list[str]] = {}
    for date in getattr(identification, "date", None) or []:
        if not date.date:
            continue
        value = cleaning.iso_date(date.date)
        if value:
            by_type.setdefault(date.type or "", []).append(value)
        else:
            warnings.append(tk._("unreadable date {field} ({value}), left empty")
                            .format(field=date.type or "?", value=date.date))
    dates = {}
    issued = by_type.get("publication") or by_type.get("creation")
    if issued:
        dates["issued"] = min(issued)
    if by_type.get("revision"):
        dates["modified"] = max(by_type["revision"])
    return dates


def _temporal(identification: Any, warnings: list[str]) -> dict[str, str]:
    start = cleaning.iso_date(getattr(identification, "temporalextent_start", None) or "")
    end = cleaning.iso_date(getattr(identification, "temporalextent_end", None) or "")
    if start and end and end < start:
        warnings.append(tk._("temporal extent ending before it starts ({start}/{end}), "
                             "left empty").format(start=start, end=end))
        return {}
    return {key: value for key, value in (("temporal_start", start), ("temporal_end", end))
            if value}


def _bbox(identification: Any, warnings: list[str]) -> str | None:
    """The bounding box as "west,south,east,north"; bounds given in the wrong order (as
    some Géo-IDE records do) are put back in order, with a warning."""
    box = getattr(identification, "bbox", None)
    bounds = (box.minx, box.maxx, box.miny, box.maxy) if box is not None else ()
    if not any(bounds):
        return None      # no box, or a bounding polygon only
    try:
        west, east, south, north = (float(v) for v in bounds)
    except (TypeError, ValueError):
        warnings.append(tk._("unreadable bounding box, left empty"))
        return None
    if west > east or south > north:
        warnings.append(tk._("bounding box with its bounds inverted in the record, put back "
                             "in order"))
        west, east = sorted((west, east))
        south, north = sorted((south, north))
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        warnings.append(tk._("bounding box out of range or without area ({bbox}), left empty")
                        .format(bbox=f"{west:g},{south:g},{east:g},{north:g}"))
        return None
    return ",".join(f"{n:g}" for n in (west, south, east, north))


def _frequency(element: etree._Element, table: dict[str, Any], warnings: list[str]
               ) -> str | None:
    code = element.find("gmd:identificationInfo/*/gmd:resourceMaintenance/*/"
                        "gmd:maintenanceAndUpdateFrequency/gmd:MD_MaintenanceFrequencyCode", NS)
    if code is None:
        return None
    value = cleaning.text(code.get("codeListValue")) or _text(code)
    if not value:
        return None
    found = table["frequencies"].get(value) or vocab.frequency_for_text(value)
    if not found:
        warnings.append(tk._("unknown update frequency « {text} », left empty")
                        .format(text=value))
    return found


def _language(record: MD_Metadata, identification: Any, table: dict[str, Any]) -> str | None:
    codes = [*(getattr(identification, "resourcelanguagecode", None) or []),
             *(getattr(identification, "resourcelanguage", None) or []),
             record.languagecode, record.language]
    return next((table["languages"][c.lower()] for c in codes
                 if c and c.lower() in table["languages"]), None)


def _contact(record: MD_Metadata, identification: Any, warnings: list[str]
             ) -> dict[str, str] | None:
    """The resource's point of contact (else its first contact, else the metadata's)."""
    parties = list(getattr(identification, "contact", None) or [])
    party = next((c for c in parties if c.role == "pointOfContact"),
                 parties[0] if parties else (record.contact or [None])[0])
    if party is None:
        return None
    name = cleaning.text(party.organization) or cleaning.text(party.name)
    # Some records list several addresses in one field: the first is the contact's.
    email = next((e.strip() for e in re.split(r"[;,]", cleaning.text(party.email))
                  if e.strip()), "")
    return cleaning.contact(name, email, warnings)


def _format(online: Any, table: dict[str, Any], distribution_format: str) -> str:
    url = cleaning.text(online.url)
    protocol = cleaning.text(online.protocol)
    for prefix, fmt in table["protocols"].items():
        if protocol.lower().startswith(prefix.lower()):
            if fmt:
                return fmt
            break
    query = {k.lower(): v.lower() for k, v in parse_qsl(urlsplit(url).query)}
    if query.get("service") in table["services"]:
        return table["services"][query["service"]]
    extension = _EXTENSION.search(urlsplit(url).path)
    if extension and extension[1].lower() in table["extensions"]:
        return table["extensions"][extension[1].lower()]
    download = protocol.upper().startswith("WWW:DOWNLOAD") or online.function == "download"
    return distribution_format if download else ""


def _resources(record: MD_Metadata, table: dict[str, Any]) -> list[dict[str, str]]:
    """The distribution's online resources (http and https), but the links to the record
    itself (GetRecordById), once each."""
    distribution = record.distribution
    if distribution is None:
        return []
    onlines = [*distribution.online,
               *(o for d in distribution.distributor or [] for o in d.online)]
    distribution_format = table["distribution_formats"].get(
        cleaning.fold(cleaning.text(distribution.format)), "")
    resources, seen = [], set()
    for online in onlines:
        url = cleaning.text(online.url)
        query = {k.lower(): v.lower() for k, v in parse_qsl(urlsplit(url).query)}
        if not url.lower().startswith(("http://", "https://")) \
                or query.get("request") == "getrecordbyid":
            continue
        name = cleaning.text(online.name)
        description = cleaning.text(online.description)
        if (url, name) in seen:
            continue
        seen.add((url, name))
        resource = {"url": url, "format": _format(online, table, distribution_format),
                    "name": name or description
                    or urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or url}
        if description and description != resource["name"]:
            resource["description"] = description
        resources.append(resource)
    return resources
