"""Previewing a source before it is created: its first records, mapped, nothing written."""

from __future__ import annotations

import itertools
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest import queue

from ckanext.grandest_harvesters.base import GrandEstHarvester, MappingError, SkippedRecord
from ckanext.grandest_harvesters.fetching import FetchError


def preview(source_type: str, url: str, config: dict[str, Any] | None = None,
            limit: int = 10) -> dict[str, Any]:
    """Gathers the first ``limit`` records of a source and maps them.

    Returns ``{"datasets": [{"remote_id", "dataset", "warnings"}], "errors": [...]}``;
    every error is a readable message (listing, skipped or unmappable records).
    """
    harvester = queue.get_harvester(source_type)
    if not isinstance(harvester, GrandEstHarvester):
        raise tk.ValidationError({"type": [tk._("Unknown harvester type: {type}")
                                           .format(type=source_type)]})
    datasets, errors = [], []
    try:
        records = harvester.gather_records(url, config or {})
        for record in itertools.islice(records, limit):
            if isinstance(record, SkippedRecord):
                errors.append(record.reason)
                continue
            warnings: list[str] = []
            try:
                dataset = harvester.map_record(record.content, warnings)
            except MappingError as e:
                errors.append(str(e))
                continue
            datasets.append({"remote_id": record.guid, "dataset": dataset,
                             "warnings": warnings})
    except FetchError as e:
        errors.append(str(e))
    return {"datasets": datasets, "errors": errors}
