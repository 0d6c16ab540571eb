"""Harvester of the former Open Data Alsace platform (MGDIS OData data server).

Gather: the OData catalogue ``dataserver/{ORG}/catalog/Source?$format=json`` (both
envelopes, ``__next`` paging); only PUBLIC entries are published. Mapping: see
``mappings/legacy_alsace.yaml`` and docs/guide-administrateurs.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import yaml
from ckanext.harvest.interfaces import IHarvester

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest_harvesters import cleaning
from ckanext.grandest_harvesters.base import GrandEstHarvester, MappingError, RemoteRecord
from ckanext.grandest_harvesters.fetching import FetchError, fetch

MAPPING = Path(__file__).parent / "mappings" / "legacy_alsace.yaml"
DEFAULT_ORG_CODE = "CRAL"    # Conseil Régional d'ALsace


@cache
def mapping() -> dict[str, Any]:
    with MAPPING.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def catalogue_url(base_url: str, org_code: str) -> str:
    return urljoin(base_url.rstrip("/") + "/", f"dataserver/{org_code}/catalog/Source?$format=json")


def data_url(base_url: str, org_code: str, legacy_id: str, odata_format: str | None) -> str:
    url = urljoin(base_url.rstrip("/") + "/", f"dataserver/{org_code}/data/{legacy_id}")
    return f"{url}?$format={odata_format}" if odata_format else url


class LegacyAlsaceHarvester(GrandEstHarvester):
    p.implements(IHarvester)

    platform = "Open Data Alsace"

    def info(self) -> dict[str, str]:
        return {
            "name": "legacy_alsace",
            "title": "Open Data Alsace (MGDIS OData)",
            "description": tk._("The former Open Data Alsace platform (MGDIS OData data "
                                "server): its catalogue and data URLs"),
        }

    # -- gather -------------------------------------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord]:
        org_code = source_config.get("organisation_code", DEFAULT_ORG_CODE)
        url: str | None = catalogue_url(source_url, org_code)
        visited: set[str] = set()
        while url:
            if url in visited:
                raise FetchError(tk._("The catalogue's next page loops back to {url}")
                                 .format(url=url))
            visited.add(url)
            response = fetch(url, accept="application/json")
            try:
                envelope = json.loads(response.text())["d"]
            except (ValueError, KeyError, TypeError) as e:
                raise FetchError(tk._("Unreadable OData catalogue at {url}: {error}")
                                 .format(url=url, error=e)) from None
            entries = envelope if isinstance(envelope, list) else envelope.get("results", [])
            for entry in entries:
                if not isinstance(entry, dict) or not entry.get("id"):
                    continue
                if entry.get("privacy", "PUBLIC") != "PUBLIC":
                    continue     # never published; withdrawn if it was public before
                yield RemoteRecord(str(entry["id"]), {**entry, "_org_code": org_code,
                                                      "_base_url": source_url})
            next_url = envelope.get("__next") if isinstance(envelope, dict) else None
            url = urljoin(url, next_url) if next_url else None

    # -- mapping ------------------------------------------------------------------------

    def map_record(self, content: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        table = mapping()
        legacy_id = content["id"]
        description = _french_description(content)
        title = (description.get("title") or "").strip()
        if not title:
            raise MappingError(tk._("Legacy entry {id} has no title: it cannot be published")
                               .format(id=legacy_id))
        dates = {}
        for field, key in (("issued", "createdOnDate"), ("modified", "lastUpdateDate")):
            value = content.get(key)
            date = cleaning.iso_date(value)
            if date:
                dates[field] = date
            elif value:
                warnings.append(tk._("unreadable date {field} ({value}), left empty")
                                .format(field=key, value=value))
        licence_text = _licence_text(content)
        licence = vocab.licence_for_text(licence_text) if licence_text else None
        if licence_text and not licence:
            warnings.append(tk._("unknown licence « {text} », recorded as not specified")
                            .format(text=licence_text))
        frequency = vocab.frequency_for_text(content.get("updateFrequency"))
        themes = [theme for category in _list(content.get("categories"))
                  for theme in table["categories"].get(str(category.get("name", "")).lower(), [])]
        owner = table["owners"].get((content.get("copyright") or {}).get("owner"))
        org_code, base_url = content["_org_code"], content["_base_url"]
        uri = (content.get("__metadata") or {}).get("uri")
        dataset = {
            "title": title,
            "notes": cleaning.markdown(description.get("subtitle"), description.get("summary"))
            or title,
            "tags": cleaning.tags(_keywords(description)),
            "theme": list(dict.fromkeys(themes)),
            "territorial_coverage": table["territorial_coverage"],
            "license_id": licence or "notspecified",
            "language": "fr",
            "remote_id": legacy_id,
            "identifier": uri or legacy_id,
            "remote_url": uri,
            "resources": [
                {"name": f["name"], "format": f["format"], "mimetype": f["mimetype"],
                 "url": data_url(base_url, org_code, legacy_id, f["odata"])}
                for f in table["formats"]
            ],
            **dates,
        }
        if frequency:
            dataset["frequency"] = frequency
        if owner:
            dataset["_organisation"] = dict(owner)
        return dataset


def _list(collection: Any) -> list[dict[str, Any]]:
    if isinstance(collection, dict):
        collection = collection.get("results", [])
    return [item for item in collection or [] if isinstance(item, dict)]


def _french_description(entry: dict[str, Any]) -> dict[str, Any]:
    descriptions = _list(entry.get("descriptions"))
    french = [d for d in descriptions if str(d.get("locale", "")).lower().startswith("fr")]
    return (french or descriptions or [{}])[0]


def _keywords(description: dict[str, Any]) -> list[Any]:
    keywords = description.get("keywords")
    return keywords.get("results", []) if isinstance(keywords, dict) else []


def _licence_text(entry: dict[str, Any]) -> str | None:
    for licence in _list((entry.get("copyright") or {}).get("licences")):
        for summary in _list(licence.get("summary")):
            if summary.get("text"):
                return str(summary["text"])
        if licence.get("url") not in (None, "", "None"):
            return str(licence["url"])
    return None
