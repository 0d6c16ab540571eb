"""Harvester of Opendatasoft portals (data.strasbourg.eu, Mulhouse…): Explore API v2.1.

Gather: the catalogue ``{portal}/api/explore/v2.1/catalog/datasets``, 100 datasets a page
(the API's maximum) until ``total_count``; or, with ``{"use_export": true}`` in the source
configuration, the whole-catalogue export ``catalog/exports/json`` in one request (no
10,000-dataset window). ``where`` (ODSQL) and ``refine`` (``facet:value``, or a list of
them) in the configuration are passed to either. Datasets are keyed on ``dataset_uid``,
which never changes: a renamed ``dataset_id`` updates its dataset. Only datasets whose
``visibility`` is ``domain`` (public) are published; a dataset without ``dataset_uid`` is
skipped with a gather error.

Mapping: ``metas.default`` and ``metas.dcat`` into the regional schema, with the tables of
``mappings/opendatasoft.yaml`` (themes, geographic references, exports) and the portal's
vocabularies (licences, frequencies, territories). Resources: the dataset's exports (csv
and json when it has records, geojson and shp when it is geographical) and its
attachments. The regional schema has no publisher field: a harvested dataset belongs to
the source's organisation, and the Opendatasoft ``publisher`` names its contact point
when ``metas.dcat`` gives no contact name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import yaml
from ckanext.harvest.interfaces import IHarvester

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest_harvesters import cleaning
from ckanext.grandest_harvesters.base import (
    GrandEstHarvester,
    MappingError,
    RemoteRecord,
    SkippedRecord,
)
from ckanext.grandest_harvesters.fetching import FetchError, fetch, portal_root

MAPPING = Path(__file__).parent / "mappings" / "opendatasoft.yaml"
API = "/api/explore/v2.1"
PAGE_SIZE = 100        # the API refuses more (without group_by)
MAX_WINDOW = 10_000    # offset + limit may not exceed this: beyond, only the export reads
PUBLIC = "domain"      # visibility of a public dataset ("restricted" ones need a key)
LANGUAGES = ("fr", "en", "de")

# What the mapping reads of a dataset: the record's content (and its digest) keeps only
# this, so that counters refreshed by the platform (records_count, data_processed,
# metadata_processed…) do not make an unchanged dataset look modified.
_DEFAULT_METAS = ("title", "description", "theme", "keyword", "license", "license_url",
                  "language", "modified", "publisher", "territory", "geographic_reference")
_DCAT_METAS = ("created", "issued", "contact_name", "contact_email", "accrualperiodicity",
               "spatial", "temporal")

_GEOREF = re.compile(r"^(?P<country>[a-z]{2})_(?P<level>\d+)_(?P<code>[0-9AB]+)$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


@cache
def mapping() -> dict[str, Any]:
    """The mapping tables, with the theme and frequency labels folded for matching."""
    with MAPPING.open(encoding="utf-8") as f:
        table = yaml.safe_load(f)
    table["themes"] = {cleaning.fold(label): codes for label, codes in table["themes"].items()}
    table["frequencies"] = {cleaning.fold(label): code
                            for label, code in table["frequencies"].items()}
    return table


@cache
def _territories_by_name() -> dict[str, list[vocab.Territory]]:
    index: dict[str, list[vocab.Territory]] = {}
    for territory in vocab.territories().values():
        index.setdefault(cleaning.fold(territory.name), []).append(territory)
    return index


# -- the portal's URLs ------------------------------------------------------------------


def portal_url(source_url: str) -> str:
    """The portal's root from a source URL given as the root, ``…/explore`` or ``…/api/…``."""
    return portal_root(source_url, ("/api/", "/explore/"))


def api_url(portal: str, path: str, params: dict[str, Any] | None = None) -> str:
    url = f"{portal}{API}/{path}"
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def export_url(portal: str, dataset_id: str, export: str) -> str:
    return api_url(portal, f"catalog/datasets/{quote(dataset_id, safe='')}/exports/{export}")


def attachment_url(portal: str, dataset_id: str, attachment_id: str) -> str:
    return api_url(portal, f"catalog/datasets/{quote(dataset_id, safe='')}/attachments/"
                           f"{quote(attachment_id, safe='')}")


def dataset_page_url(portal: str, dataset_id: str) -> str:
    return f"{portal}/explore/dataset/{quote(dataset_id, safe='')}/"


def _filters(source_config: dict[str, Any]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if source_config.get("where"):
        filters["where"] = source_config["where"]
    refine = source_config.get("refine")
    if refine:
        filters["refine"] = [refine] if isinstance(refine, str) else list(refine)
    return filters


def _read_json(url: str) -> Any:
    response = fetch(url, accept="application/json")
    try:
        return json.loads(response.text())
    except ValueError as e:
        raise FetchError(tk._("Unreadable Opendatasoft catalogue at {url}: {error}")
                         .format(url=url, error=e)) from None


def _unexpected(url: str) -> FetchError:
    return FetchError(tk._("Unexpected answer from {url}: this is not an Opendatasoft Explore "
                           "v2.1 catalogue").format(url=url))


def catalogue_pages(portal: str, filters: dict[str, Any]) -> Iterator[Any]:
    """Every dataset of the paged listing; FetchError if the listing is not complete."""
    offset = received = 0
    total = None
    while total is None or offset < total:
        if offset + PAGE_SIZE > MAX_WINDOW:
            raise FetchError(
                tk._("The catalogue holds {total} datasets, more than the {window} the paged "
                     "listing can reach: set {option} in the source configuration")
                .format(total=total, window=MAX_WINDOW, option='"use_export": true'))
        url = api_url(portal, "catalog/datasets",
                      {"limit": PAGE_SIZE, "offset": offset, **filters})
        page = _read_json(url)
        results = page.get("results") if isinstance(page, dict) else None
        total = page.get("total_count") if isinstance(page, dict) else None
        if not isinstance(results, list) or not isinstance(total, int):
            raise _unexpected(url)
        yield from results
        received += len(results)
        offset += PAGE_SIZE
        if not results:
            break
    if received < total:
        raise FetchError(tk._("The catalogue announced {total} datasets but listed only "
                              "{received}").format(total=total, received=received))


def catalogue_export(portal: str, filters: dict[str, Any]) -> list[Any]:
    """Every dataset of the whole-catalogue JSON export (one request)."""
    url = api_url(portal, "catalog/exports/json", filters)
    datasets = _read_json(url)
    if not isinstance(datasets, list):
        raise _unexpected(url)
    return datasets


class OpendatasoftHarvester(GrandEstHarvester):
    p.implements(IHarvester)

    platform = "Opendatasoft"

    def info(self) -> dict[str, str]:
        return {
            "name": "opendatasoft",
            "title": "Opendatasoft (Explore API v2.1)",
            "description": tk._("A portal on Opendatasoft (such as data.strasbourg.eu): its "
                                "catalogue through the Explore API v2.1"),
        }

    def check_config(self, parsed: dict[str, Any]) -> None:
        if not isinstance(parsed.get("use_export", False), bool):
            raise ValueError(tk._("use_export must be true or false"))
        if not isinstance(parsed.get("where", ""), str):
            raise ValueError(tk._("where must be an ODSQL expression (a string)"))
        refine = parsed.get("refine", [])
        refines = [refine] if isinstance(refine, str) else refine
        if not isinstance(refines, list) or not all(
                isinstance(r, str) and ":" in r for r in refines):
            raise ValueError(tk._("refine must be facet:value, or a list of them"))

    # -- gather -------------------------------------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord | SkippedRecord]:
        portal = portal_url(source_url)
        filters = _filters(source_config)
        datasets = (catalogue_export(portal, filters) if source_config.get("use_export")
                    else catalogue_pages(portal, filters))
        for dataset in datasets:
            record = self._record(dataset, portal)
            if record is not None:
                yield record

    def _record(self, dataset: Any, portal: str) -> RemoteRecord | SkippedRecord | None:
        if not isinstance(dataset, dict):
            return SkippedRecord(tk._("The catalogue lists an entry that is not a dataset: "
                                      "skipped"))
        if dataset.get("visibility", PUBLIC) != PUBLIC:
            return None      # never published; withdrawn if it was public before
        uid, dataset_id = dataset.get("dataset_uid"), dataset.get("dataset_id")
        if not uid or not dataset_id:
            return SkippedRecord(
                tk._("The Opendatasoft dataset {id} has no dataset_uid or dataset_id: it is "
                     "skipped").format(id=dataset_id or uid or "?"), guid=uid)
        metas = dataset.get("metas") if isinstance(dataset.get("metas"), dict) else {}
        default = metas.get("default") if isinstance(metas.get("default"), dict) else {}
        dcat = metas.get("dcat") if isinstance(metas.get("dcat"), dict) else {}
        content = {
            "dataset_uid": str(uid),
            "dataset_id": str(dataset_id),
            "has_records": bool(dataset.get("has_records")),
            "features": cleaning.as_list(dataset.get("features")),
            "attachments": [a for a in cleaning.as_list(dataset.get("attachments"))
                            if isinstance(a, dict)],
            "metas": {"default": {key: default.get(key) for key in _DEFAULT_METAS},
                      "dcat": {key: dcat.get(key) for key in _DCAT_METAS}},
            "_portal": portal,
        }
        return RemoteRecord(str(uid), content)

    # -- mapping ------------------------------------------------------------------------

    def map_record(self, content: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        table = mapping()
        default, dcat = content["metas"]["default"], content["metas"]["dcat"]
        dataset_id, portal = content["dataset_id"], content["_portal"]
        title = cleaning.text(default.get("title"))
        if not title:
            raise MappingError(tk._("Opendatasoft dataset {id} has no title: it cannot be "
                                    "published").format(id=dataset_id))
        dataset: dict[str, Any] = {
            "title": title,
            "notes": cleaning.markdown(cleaning.text(default.get("description"))) or title,
            "tags": cleaning.tags(cleaning.as_list(default.get("keyword"))),
            "theme": list(dict.fromkeys(
                code for label in cleaning.as_list(default.get("theme"))
                for code in table["themes"].get(cleaning.fold(str(label)), []))),
            "territorial_coverage": _coverage(default, dcat),
            "license_id": _licence(default, warnings),
            "remote_id": content["dataset_uid"],
            "identifier": dataset_id,
            "remote_url": dataset_page_url(portal, dataset_id),
            "resources": _resources(content, table),
            **_dates(default, dcat, warnings),
            **_temporal(dcat),
        }
        language = cleaning.text(default.get("language")).lower()
        if language in LANGUAGES:
            dataset["language"] = language
        frequency = _frequency(dcat.get("accrualperiodicity"), table, warnings)
        if frequency:
            dataset["frequency"] = frequency
        contact = _contact(dcat, cleaning.text(default.get("publisher")), warnings)
        if contact:
            dataset["contact"] = [contact]
        return dataset


# -- mapping helpers ----------------------------------------------------------------------


def _licence(default: dict[str, Any], warnings: list[str]) -> str:
    """The licence id from the licence's name, else its URL; "notspecified" with a warning
    when neither is known, without one when the dataset gives no licence at all."""
    text, url = cleaning.text(default.get("license")), cleaning.text(default.get("license_url"))
    licence = vocab.licence_for_text(text) or vocab.licence_for_text(url)
    if licence:
        return licence
    if text or url:
        warnings.append(tk._("unknown licence « {text} », recorded as not specified")
                        .format(text=text or url))
    return "notspecified"


def _dates(default: dict[str, Any], dcat: dict[str, Any], warnings: list[str]
           ) -> dict[str, str]:
    """issued and modified as the source dates them (never the harvest's date)."""
    issued = "issued" if dcat.get("issued") else "created"
    dates = {}
    for field, source, value in (("issued", f"dcat.{issued}", dcat.get(issued)),
                                 ("modified", "modified", default.get("modified"))):
        if not value:
            continue
        date = cleaning.iso_date(value)
        if date:
            dates[field] = date
        else:
            warnings.append(tk._("unreadable date {field} ({value}), left empty")
                            .format(field=source, value=value))
    return dates


def _temporal(dcat: dict[str, Any]) -> dict[str, str]:
    """metas.dcat.temporal "start/end" (ISO dates) as the temporal coverage, if readable."""
    start, _, end = cleaning.text(dcat.get("temporal")).partition("/")
    start_date, end_date = cleaning.iso_date(start), cleaning.iso_date(end)
    if start_date and end_date and start_date <= end_date:
        return {"temporal_start": start_date, "temporal_end": end_date}
    return {"temporal_start": start_date} if start_date and not end else {}


def _frequency(text: Any, table: dict[str, Any], warnings: list[str]) -> str | None:
    text = cleaning.text(text)
    if not text:
        return None
    code = vocab.frequency_for_text(text) or table["frequencies"].get(cleaning.fold(text))
    if not code:
        warnings.append(tk._("unknown update frequency « {text} », left empty")
                        .format(text=text))
    return code


def _contact(dcat: dict[str, Any], publisher: str, warnings: list[str]
             ) -> dict[str, str] | None:
    name = cleaning.text(dcat.get("contact_name")) or publisher
    email = cleaning.text(dcat.get("contact_email"))
    return cleaning.contact(name, email, warnings)


def _georef_territory(reference: str) -> str | None:
    table = mapping()["geographic_reference"]
    found = _GEOREF.match(reference.strip())
    if not found or found["country"].lower() != table["country"]:
        return None
    for level in table["levels"].get(str(int(found["level"])), []):
        key = f"{level}:{found['code'].upper()}"
        if vocab.territory(key):
            return key
    return None


def _named_territory(label: str) -> str | None:
    """The territory of Grand Est with exactly this name (an INSEE URI also does); among
    namesakes, the one of the largest level if it is alone at that level."""
    if label.lower().startswith(("http://", "https://")):
        return vocab.territory_from_uri(label)
    namesakes = _territories_by_name().get(cleaning.fold(label), [])
    if not namesakes:
        return None
    largest = min(vocab.LEVELS.index(t.level) for t in namesakes)
    found = [t for t in namesakes if vocab.LEVELS.index(t.level) == largest]
    return found[0].key if len(found) == 1 else None


def _coverage(default: dict[str, Any], dcat: dict[str, Any]) -> list[str]:
    """Territories of Grand Est from the geographic references (INSEE codes); failing
    that, from the territory names (``territory``, ``dcat.spatial``). Anything that does
    not resolve to Grand Est (other regions, countries, "world") is left out."""
    references = cleaning.as_list(default.get("geographic_reference"))
    keys = [_georef_territory(str(r)) for r in references]
    if not any(keys):
        labels = [*cleaning.as_list(default.get("territory")),
                  *cleaning.as_list(dcat.get("spatial"))]
        keys = [_named_territory(str(label)) for label in labels if cleaning.text(label)]
    return list(dict.fromkeys(key for key in keys if key))


def _attachment_format(attachment: dict[str, Any], table: dict[str, Any]) -> str:
    found = table["attachment_formats"].get(cleaning.text(attachment.get("mimetype")).lower())
    if found:
        return found
    for name in (attachment.get("url"), attachment.get("title")):
        extension = _EXTENSION.search(cleaning.text(name).split("?", 1)[0])
        if extension:
            return extension[1].upper()
    return ""


def _resources(content: dict[str, Any], table: dict[str, Any]) -> list[dict[str, str]]:
    dataset_id, portal = content["dataset_id"], content["_portal"]
    resources = []
    if content["has_records"]:
        geo = "geo" in content["features"]
        resources += [
            {"name": export["name"], "format": export["format"],
             "mimetype": export["mimetype"],
             "url": export_url(portal, dataset_id, export["export"])}
            for export in table["exports"] if geo or not export.get("geo")
        ]
    for attachment in content["attachments"]:
        url = cleaning.text(attachment.get("url"))
        attachment_id = cleaning.text(attachment.get("id"))
        if not url.lower().startswith(("http://", "https://")):
            if not attachment_id:
                continue     # an odsfile:// without its id cannot be downloaded
            url = attachment_url(portal, dataset_id, attachment_id)
        resource = {"name": cleaning.text(attachment.get("title")) or attachment_id or url,
                    "url": url, "format": _attachment_format(attachment, table)}
        if attachment.get("mimetype"):
            resource["mimetype"] = cleaning.text(attachment["mimetype"])
        resources.append(resource)
    return resources
