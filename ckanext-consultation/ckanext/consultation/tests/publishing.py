"""Test helpers: run consultations through the plugin's real path (actions, the
publication job) and read back what it published, as anyone on the Web would.

``published_outputs`` downloads every resource file of a consultation's dataset through
the web app and pages through ``datastore_search`` anonymously: the attack tests work on
these bytes and rows only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.consultation import synthetic_answers
from ckanext.consultation.publication.jobs import publish_consultation

ORGANIZATION = "region-grand-est"
"""The publication's organisation (``ckanext.consultation.publication.organization``)."""


def sysadmin() -> dict[str, Any]:
    """The context of the site user (a sysadmin: moderator and app at once)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


def call(action: str, **data: Any) -> Any:
    return tk.get_action(action)(sysadmin(), data)


def ensure_organization() -> None:
    try:
        call("organization_show", id=ORGANIZATION)
    except tk.ObjectNotFound:
        factories.Organization(name=ORGANIZATION, title="Région Grand Est", body_type="region",
                               siren="200052264", territory="region:44")


def open_consultation(name: str, title: str, options: Iterable[str] = synthetic_answers.OPTIONS,
                      **fields: Any) -> dict[str, Any]:
    """A consultation of one question, created and opened by a moderator."""
    call("consultation_create", name=name, title=title,
         questions=[{"text": title, "options": list(options)}], **fields)
    return call("consultation_open", id=name)


def import_answers(name: str, answers: Iterable[synthetic_answers.Respondent]) -> dict[str, Any]:
    return call("consultation_answers_import", consultation_id=name,
                answers=synthetic_answers.import_rows(answers))


def close_and_publish(name: str) -> dict[str, Any]:
    """Close the consultation and run its publication job at once."""
    closed = call("consultation_close", id=name)
    return publish_consultation(closed["id"])


@dataclass
class Resource:
    """One published resource: its metadata, its file, its DataStore rows (if any)."""

    metadata: dict[str, Any]
    content: bytes
    datastore_fields: list[dict[str, Any]] = field(default_factory=list)
    datastore_records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def csv_rows(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.text)))


@dataclass
class Published:
    """Everything public about a published consultation."""

    dataset: dict[str, Any]
    resources: list[Resource]

    def json_document(self) -> dict[str, Any]:
        """The results JSON (every question's release)."""
        (resource,) = [r for r in self.resources if r.metadata["format"] == "JSON"]
        return json.loads(resource.content)

    def csv_resources(self) -> list[Resource]:
        return [r for r in self.resources if r.metadata["format"] == "CSV"]

    def all_text(self) -> str:
        """Every byte anyone can fetch about it, as text, to scan."""
        parts = [json.dumps(self.dataset, ensure_ascii=False)]
        for resource in self.resources:
            parts.append(resource.text)
            parts.append(json.dumps(resource.datastore_records, ensure_ascii=False))
        return "\n".join(parts)


def published_outputs(app: Any, dataset_name: str) -> Published:
    """Download a dataset's resources and DataStore tables anonymously, via the web app."""
    dataset = app.get("/api/3/action/package_show", query_string={"id": dataset_name}).json[
        "result"]
    resources = []
    for metadata in dataset["resources"]:
        response = app.get(_local_path(metadata["url"]))
        assert response.status_code == 200, metadata["url"]
        resource = Resource(metadata, response.data)
        if metadata.get("datastore_active"):
            resource.datastore_fields, resource.datastore_records = _datastore(
                app, metadata["id"])
        resources.append(resource)
    return Published(dataset, resources)


def _local_path(url: str) -> str:
    """A resource URL on this portal as a path the test app serves."""
    site_url = tk.config["ckan.site_url"].rstrip("/")
    return url[len(site_url):] if url.startswith(site_url) else url


def _datastore(app: Any, resource_id: str) -> tuple[list[dict], list[dict]]:
    records: list[dict] = []
    fields: list[dict] = []
    while True:
        result = app.get("/api/3/action/datastore_search", query_string={
            "resource_id": resource_id, "limit": 1000, "offset": len(records)}).json["result"]
        fields = result["fields"]
        records += result["records"]
        if len(records) >= result["total"]:
            return fields, records
