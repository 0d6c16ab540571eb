"""The real payloads of ``../shared/corpus`` served at paths that mimic their origin.

Each origin portal gets a "site" prefix (``/datasud``, ``/hydra``, ``/geo-ide`` …), below
which the file sits at the path its API used (``/api/3/action/package_show?id=…``,
``/api/explore/v2.1/catalog/datasets``, ``/csw/all-dataset?request=GetRecords…``).
:data:`CORPUS_ROUTES` says which file is served where; a test per file can be
parametrised over it (:func:`corpus_files` lists the files it must cover).

Bodies are the files' bytes, unchanged, except:

- ``extract`` routes serve one recorded response body from inside a udata harvest
  snapshot (the DataSud package_show calls that have no file of their own);
- with ``corpus_routes(rebase=True)``, files whose paging links are absolute URLs of a
  fictitious host (the Hydra pages on ``http://data.test.org``) have that origin rewritten
  to the site's local URL, so that a harvester can follow them.

Where a file sits among others at the same path, query parameters select it (``select``):
``id`` for CKAN's package_show, ``page`` for Hydra pages (absent = 1), ``request`` and
``startPosition`` for CSW (GET key-value pairs, case-insensitive names, or a POSTed
``GetRecords`` document). A request for something the corpus does not hold (CSW page 2,
GetCapabilities, Hydra legacy page 2, another package) answers 404 saying so.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route, text_response

__all__ = ["CORPUS_ROUTES", "CorpusRoute", "corpus_files", "corpus_routes", "default_corpus_dir"]

# harvesters/ckanext/grandest_harvesters/peers/corpus.py -> the repository root is parents[4]
REPO_ROOT = Path(__file__).resolve().parents[4]

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".jsonld": "application/ld+json; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
}
RDF_XML = "application/rdf+xml; charset=utf-8"


def default_corpus_dir() -> Path:
    """``../shared/corpus`` next to the repository (the repository root's parent)."""
    return REPO_ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class CorpusRoute:
    """Where one corpus file (or one response recorded inside it) is served."""

    file: str  # relative to the corpus folder, e.g. "ckan/demo-ckan-package_show.json"
    site: str  # the origin's prefix, e.g. "/demo-ckan"
    path: str  # the origin API's path, e.g. "/api/3/action/package_show"
    query: str = ""  # query string of the URL below (already encoded)
    select: tuple[str, ...] = ()  # query parameters that pick this file among its path's
    content_type: str = ""  # default: by the file's extension
    extract: int | None = None  # serve requests_history[extract].response.body of the file
    rebase: str | None = None  # absolute origin in the body, rewritten when rebase=True
    methods: tuple[str, ...] = ("GET", "HEAD")
    what: str = ""

    @property
    def full_path(self) -> str:
        return self.site + self.path

    @property
    def url(self) -> str:
        """Path and query below the corpus mount, e.g. ``/demo-ckan/api/…?id=dataset-1``."""
        return self.full_path + (f"?{self.query}" if self.query else "")

    @property
    def media_type(self) -> str:
        return self.content_type or CONTENT_TYPES.get(Path(self.file).suffix, RDF_XML)

    def selector(self) -> dict[str, str]:
        parsed = parse_qs(self.query, keep_blank_values=True)
        return {name.lower(): parsed[name][0].lower() for name in parsed
                if name.lower() in self.select}


def _csw(output_schema: str = "http://www.isotc211.org/2005/gmd") -> str:
    return urlencode({
        "service": "CSW", "version": "2.0.2", "request": "GetRecords",
        "typeNames": "gmd:MD_Metadata" if "isotc211" in output_schema else "csw:Record",
        "outputSchema": output_schema, "elementSetName": "full", "resultType": "results",
        "startPosition": "1", "maxRecords": "10",
    })


_DATASUD = "/fr/indexer/service/ckan/api/3/action"
_DATASUD_SNAPSHOT = "ckan/datasud-harvest.udata-snapshot.json"
_ODS_DOC = "/api/explore/v2.1/catalog/datasets/geonames-all-cities-with-a-population-1000"
_CSW_SELECT = ("request", "startposition")

CORPUS_ROUTES: tuple[CorpusRoute, ...] = (
    # --- Opendatasoft --------------------------------------------------------------------
    CorpusRoute("opendatasoft/v2.1-doc-example-catalog-datasets.json", "/ods-doc",
                "/api/explore/v2.1/catalog/datasets", "limit=2",
                what="Explore v2.1 catalogue listing (documentation example)"),
    CorpusRoute("opendatasoft/v2.1-doc-example-catalog-dataset.json", "/ods-doc", _ODS_DOC,
                what="Explore v2.1 one dataset"),
    CorpusRoute("opendatasoft/v2.1-doc-example-dataset-attachments.json", "/ods-doc",
                f"{_ODS_DOC}/attachments", what="Explore v2.1 dataset attachments"),
    CorpusRoute("opendatasoft/v2.1-doc-example-dataset-records.json", "/ods-doc",
                f"{_ODS_DOC}/records", "limit=2", what="Explore v2.1 dataset records"),
    CorpusRoute("opendatasoft/explore-v2.1-openapi.json", "/ods-doc",
                "/api/explore/v2.1/swagger.json", what="Explore v2.1 OpenAPI document"),
    CorpusRoute("opendatasoft/v2.0-doc-example-catalog-datasets.json", "/ods-v2",
                "/api/v2/catalog/datasets", what="Explore v2.0 catalogue listing"),
    CorpusRoute("opendatasoft/v2.0-doc-example-catalog-dataset.json", "/ods-v2",
                "/api/v2/catalog/datasets/geonames-all-cities-with-a-population-1000",
                what="Explore v2.0 one dataset"),
    CorpusRoute("opendatasoft/explore-v2.0-openapi.json", "/ods-v2", "/api/v2/swagger.json",
                what="Explore v2.0 OpenAPI document"),
    CorpusRoute("opendatasoft/v1.0-etalab-sandbox-search.json", "/ods-etalab-sandbox",
                "/api/datasets/1.0/search/", "rows=10&format=json",
                what="API v1.0 dataset search"),
    CorpusRoute("opendatasoft/v1.0-etalab-sandbox-dataset-test-a.json", "/ods-etalab-sandbox",
                "/api/datasets/1.0/test-a/", what="API v1.0 one dataset"),
    CorpusRoute("opendatasoft/v1.0-etalab-sandbox-dataset-with-attachments.json",
                "/ods-etalab-sandbox", "/api/datasets/1.0/with-attachments/",
                what="API v1.0 dataset with attachments"),
    CorpusRoute("opendatasoft/v1.0-etalab-sandbox-dataset-inspire.json", "/ods-etalab-sandbox",
                "/api/datasets/1.0/inspire/", what="API v1.0 dataset with INSPIRE metas"),
    # --- CKAN-compatible APIs ---------------------------------------------------------
    CorpusRoute("ckan/datasud-package_search-org-cagtd.json", "/datasud",
                f"{_DATASUD}/package_search",
                urlencode({"q": 'organization:"communaute-dagglomeration-de-gap-tallard-durance"',
                           "rows": "1000"}),
                what="DataSud package_search (7 packages)"),
    CorpusRoute("ckan/datasud-package_show-canispaces-ville-de-gap.json", "/datasud",
                f"{_DATASUD}/package_show", "id=canispaces----ville-de-gap", ("id",),
                what="DataSud package_show"),
    CorpusRoute("ckan/datasud-package_show-parkings-ville-de-gap.json", "/datasud",
                f"{_DATASUD}/package_show", "id=parkings-ville-de-gap", ("id",),
                what="DataSud package_show"),
    *(
        CorpusRoute(_DATASUD_SNAPSHOT, "/datasud", f"{_DATASUD}/package_show", f"id={name}",
                    ("id",), "application/json", extract=index,
                    what="DataSud package_show, replayed from the udata snapshot")
        for index, name in (
            (2, "point-d-apport-volontaire-pav-ca-gap-tallard-durance"),
            (3, "sacs-a-chien----ville-de-gap"),
            (4, "cendriers----ville-de-gap"),
            (5, "corbeilles---ville-de-gap"),
            (7, "dechetteries-de-la-cagtd"),
        )
    ),
    CorpusRoute(_DATASUD_SNAPSHOT, "/snapshots", "/ckan/datasud-harvest.udata-snapshot.json",
                what="udata harvest snapshot (raw file)"),
    CorpusRoute("ckan/demo-ckan-package_show.json", "/demo-ckan", "/api/3/action/package_show",
                "id=dataset-1", ("id",), what="CKAN 2.x package_show (demo.ckan.org)"),
    CorpusRoute("ckan/dkan-hautsdefrance-package_show.json", "/dkan-hautsdefrance",
                "/api/3/action/package_show", "id=04be6288-696d-4331-850d-a144871a7e3a",
                ("id",), what="DKAN package_show (result is a list)"),
    # --- DCAT ---------------------------------------------------------------------------
    CorpusRoute("dcat/datagouv-udata-vanves-catalog.rdf.xml", "/datagouv",
                "/api/1/organizations/54884a24c751df7226a3fc16/catalog.rdf",
                "page=1&page_size=100", ("page",), RDF_XML,
                what="data.gouv.fr organisation catalogue (Hydra, 1 page)"),
    CorpusRoute("dcat/capatlantique-ods-explore-v2.1-dcat-export.rdf", "/capatlantique",
                "/api/explore/v2.1/catalog/exports/dcat",
                urlencode({"where": 'publisher="CCAS Guérande"',
                           "include_exports": "json,csv,shp,geojson", "lang": "fr"}),
                what="Opendatasoft v2.1 DCAT export"),
    CorpusRoute("dcat/capatlantique-ods-dcat-harvest.udata-snapshot.json", "/snapshots",
                "/dcat/capatlantique-ods-dcat-harvest.udata-snapshot.json",
                what="udata harvest snapshot (raw file)"),
    CorpusRoute("dcat/datara-geonetwork-5a26b0f6.rdf.xml", "/datara",
                "/geonetwork/srv/api/records/5a26b0f6-0ccf-46ad-ac58-734054b91977/formatters/dcat",
                content_type=RDF_XML, what="GeoNetwork GeoDCAT-AP record"),
    CorpusRoute("dcat/datara-geonetwork-f40c3860.rdf.xml", "/datara",
                "/geonetwork/srv/api/records/f40c3860-7236-4b30-a141-23b8ae33f7b2/formatters/dcat",
                content_type=RDF_XML, what="GeoNetwork GeoDCAT-AP record"),
    CorpusRoute("dcat/oreme-geonetwork-catalog.rdf", "/oreme", "/geonetwork/srv/eng/rdf.search",
                what="GeoNetwork DCAT catalogue"),
    CorpusRoute("dcat/oreme-geonetwork-record.rdf.xml", "/oreme",
                "/geonetwork/srv/eng/rdf.metadata.get",
                "uuid=0c456d2d-9548-4a2a-94ef-231d9d890ce2", ("uuid",), RDF_XML,
                what="older GeoNetwork DCAT record"),
    CorpusRoute("dcat/sextant-ifremer-series.rdf.xml", "/sextant",
                "/geonetwork/srv/api/records/fc663284-e599-427e-9da6-9fe9519170f3/formatters/dcat",
                content_type=RDF_XML, what="GeoNetwork GeoDCAT-AP dataset series"),
    CorpusRoute("dcat/evian-arcgis-hub-dcat-us.json", "/evian", "/api/feed/dcat-us/1.1.json",
                what="ArcGIS Hub DCAT-US 1.1 data.json"),
    CorpusRoute("dcat/hydra-partial-collection-1.jsonld", "/hydra", "/catalog.jsonld", "page=1",
                ("page",), rebase="http://data.test.org",
                what="Hydra PartialCollectionView page 1 of 2"),
    CorpusRoute("dcat/hydra-partial-collection-2.jsonld", "/hydra", "/catalog.jsonld", "page=2",
                ("page",), rebase="http://data.test.org",
                what="Hydra PartialCollectionView page 2 of 2"),
    CorpusRoute("dcat/hydra-legacy-paged-collection-1.jsonld", "/hydra-legacy",
                "/catalog.jsonld", "page=1", ("page",), rebase="http://data.test.org",
                what="legacy Hydra PagedCollection page 1 (page 2 is not in the corpus)"),
    CorpusRoute("dcat/bnodes.rdf.xml", "/bnodes", "/catalog.rdf", content_type=RDF_XML,
                what="relative IRIs and blank-node datasets"),
    # --- CSW ----------------------------------------------------------------------------
    CorpusRoute("csw/geoide-csw-getrecords-iso19139-page-1.xml", "/geo-ide", "/csw/all-dataset",
                _csw(), _CSW_SELECT, methods=("GET", "HEAD", "POST"),
                what="CSW GetRecords ISO 19139, page 1 (records 1-2 of 6)"),
    CorpusRoute("csw/geoide-ddt24-csw-getrecords-iso19139.xml", "/geo-ide", "/csw/csw-ddt24",
                _csw(), _CSW_SELECT, methods=("GET", "HEAD", "POST"),
                what="CSW GetRecords ISO 19139, all 4 records"),
    CorpusRoute("csw/geoplateforme-csw-getrecords-iso19139-IGNF_RPG.xml", "/geoplateforme",
                "/csw", _csw(), _CSW_SELECT, methods=("GET", "HEAD", "POST"),
                what="CSW GetRecords ISO 19139, 1 record"),
    CorpusRoute("csw/geo2france-csw-getrecords-geodcatap-page-1.xml", "/geo2france",
                "/geonetwork/srv/fre/csw", _csw("http://www.w3.org/ns/dcat#"), _CSW_SELECT,
                methods=("GET", "HEAD", "POST"),
                what="CSW GetRecords with GeoDCAT-AP records, page 1"),
)

# A request without these parameters asks for the first page.
_IMPLICIT = {"page": "1", "startposition": "1"}


def corpus_files(corpus_dir: Path | str | None = None) -> list[str]:
    """The corpus files a harvester must handle: every file except SOURCES.md and the SHACL
    shapes (``shacl/``), relative to the corpus folder, sorted."""
    root = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*")
        if p.is_file() and p.name != "SOURCES.md" and p.relative_to(root).parts[0] != "shacl"
    )


def _request_params(request: PeerRequest) -> dict[str, str]:
    params = {k.lower(): v[0].lower() for k, v in request.query.items() if v}
    if request.method == "POST" and request.body:
        try:
            root = ET.fromstring(request.body)
        except ET.ParseError:
            return params
        params["request"] = root.tag.rsplit("}", 1)[-1].lower()
        for name, value in root.attrib.items():
            params[name.rsplit("}", 1)[-1].lower()] = value.lower()
    for name, value in _IMPLICIT.items():
        params.setdefault(name, value)
    return params


def _body(root: Path, route: CorpusRoute) -> bytes:
    data = (root / route.file).read_bytes()
    if route.extract is None:
        return data
    recorded = json.loads(data)["requests_history"][route.extract]["response"]["body"]
    return recorded.encode("utf-8")


def corpus_routes(corpus_dir: Path | str | None = None, *, rebase: bool = False) -> list[Route]:
    """Routes serving :data:`CORPUS_ROUTES` from ``corpus_dir`` (default:
    :func:`default_corpus_dir`). ``rebase``: rewrite the fictitious absolute origin of the
    Hydra pages to the local site URL so that their paging links can be followed."""
    root = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    missing = [r.file for r in CORPUS_ROUTES if not (root / r.file).is_file()]
    if missing:
        raise FileNotFoundError(f"corpus files missing in {root}: {missing}")

    by_path: dict[str, list[CorpusRoute]] = {}
    for corpus_route in CORPUS_ROUTES:
        by_path.setdefault(corpus_route.full_path.rstrip("/"), []).append(corpus_route)

    def handler_for(candidates: list[CorpusRoute]) -> Route:
        methods = tuple(sorted({m for c in candidates for m in c.methods}))

        def serve(request: PeerRequest) -> Response:
            params = _request_params(request)
            chosen = None
            for candidate in sorted(candidates, key=lambda c: -len(c.select)):
                if all(params.get(k) == v for k, v in candidate.selector().items()):
                    chosen = candidate
                    break
            if chosen is None or request.method not in chosen.methods:
                known = ", ".join(c.url for c in candidates)
                return text_response(
                    404, f"Not in the corpus: {request.path}?{request.query_string}\n"
                    f"Served at this path: {known}\n")
            body = _body(root, chosen)
            if rebase and chosen.rebase:
                body = body.replace(chosen.rebase.encode(),
                                    (request.mount_url + chosen.site).encode())
            return 200, {"Content-Type": chosen.media_type}, body

        path = candidates[0].full_path.rstrip("/")
        return Route(re.escape(path) + "/?", serve, match="regex", methods=methods)

    return [handler_for(candidates) for candidates in by_path.values()]
