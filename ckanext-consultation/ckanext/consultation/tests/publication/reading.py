"""Reading what a publication put out, the way users do: downloads, DataStore API."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ckan.lib import uploader
from ckan.tests import helpers


def download(app, resource: dict[str, Any]) -> bytes:
    """The resource's file, through the portal's download URL (anonymous)."""
    response = app.get(urlparse(resource["url"]).path, status=200)
    return response.get_data()


def stored_file(resource_id: str) -> bytes:
    return Path(uploader.get_resource_uploader({}).get_path(resource_id)).read_bytes()


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def datastore_rows(resource_id: str) -> list[dict[str, Any]]:
    """Every row of a DataStore table in insertion order, without ``_id`` (anonymous)."""
    result = helpers.call_action("datastore_search", context={"ignore_auth": False},
                                 resource_id=resource_id, limit=32000, sort="_id")
    return [{k: v for k, v in record.items() if k != "_id"} for record in result["records"]]


def datastore_fields(resource_id: str) -> dict[str, dict[str, Any]]:
    result = helpers.call_action("datastore_search", context={"ignore_auth": False},
                                 resource_id=resource_id, limit=0)
    return {field["id"]: field for field in result["fields"]}
