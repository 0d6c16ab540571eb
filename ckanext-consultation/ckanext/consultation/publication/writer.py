"""Writing a built publication so that a failure leaves the previous one as it was.

Everything (files, DataStore rows, dataset fields) is built before this module runs.

- First publication: the dataset is created private with its resources (uploads: their
  files go where CKAN's uploader keeps them, served by CKAN's download view) and their
  DataStore tables (``datastore_create``, typed fields); the tables' rows are written in
  one transaction of the DataStore database, committed with the last update, which
  makes the dataset public. On failure the half-made dataset is purged.
- Later publications keep the resource ids (hackathon apps query the DataStore tables
  by id). Changed files are first written beside the current ones; the DataStore tables'
  new rows are written in ONE transaction of the DataStore database (its API commits
  table by table, which could leave some tables new and others old); then the dataset is
  updated (``package_update``: one commit of the CKAN database, with the release records
  the caller adds); only then the DataStore transaction commits and the new files take
  the current ones' place. A failure before that point rolls everything back: previous
  dataset, resources, files and DataStore rows unchanged. A DataStore table that another
  session locks makes the write give up after ``publication.lock_timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader
from psycopg2.extras import execute_values
from werkzeug.datastructures import FileStorage

from ckanext.consultation import config

from .outputs import Output

__all__ = ["PublicationWriter"]

log = logging.getLogger(__name__)

BeforeCommit = Callable[[str], None]
"""Called with the dataset's id right before its last update, whose commit saves what
it adds to the session (the release records) together with the dataset."""


def _nothing(package_id: str) -> None:
    return None


class PublicationWriter:
    """Creates or updates a consultation dataset from built outputs, as the site user."""

    def __init__(self) -> None:
        self.user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def _context(self) -> dict[str, Any]:
        return {"user": self.user, "ignore_auth": True}

    def _action(self, name: str, data_dict: dict[str, Any]) -> Any:
        return tk.get_action(name)(self._context(), data_dict)

    # -- first publication ---------------------------------------------------------------

    def create(self, fields: dict[str, Any], outputs: Sequence[Output],
               before_commit: BeforeCommit = _nothing) -> dict[str, Any]:
        """Create the dataset (private) with its resources, write their files and DataStore
        tables, then make it public."""
        now = _utcnow()
        package = self._action("package_create", {
            **fields, "private": True,
            "resources": [{**_resource_fields(output), "url": output.filename,
                           "url_type": "upload", "size": len(output.content),
                           "last_modified": now,
                           # set now, so that loading the table does not update the dataset
                           "datastore_active": output.datastore is not None}
                          for output in outputs],
        })
        written: list[Path] = []
        try:
            for output, resource in zip(outputs, package["resources"], strict=True):
                staged, final = _stage_file(resource["id"], output.content)
                written.append(staged.replace(final))
                if output.datastore is not None:
                    self._create_table(resource["id"], output)
            self._action("package_create_default_resource_views",
                         {"package": self._action("package_show", {"id": package["id"]}),
                          "create_datastore_views": True})
            with _datastore_transaction() as connection:
                for output, resource in zip(outputs, package["resources"], strict=True):
                    if output.datastore is not None:
                        _insert_rows(connection, resource["id"], output)
                before_commit(package["id"])
                return self._action("package_patch", {**fields, "id": package["id"]})
        except BaseException:
            model.Session.rollback()
            self.discard(package["id"])
            for path in written:
                path.unlink(missing_ok=True)
            raise

    def _create_table(self, resource_id: str, output: Output, with_rows: bool = False) -> None:
        """The resource's DataStore table, with its typed fields (rows: see the module)."""
        assert output.datastore is not None
        self._action("datastore_create", {
            "resource_id": resource_id,
            "fields": list(output.datastore.fields),
            "records": list(output.datastore.records) if with_rows else [],
            "force": True,   # an uploaded file's table: written by this module only
            "calculate_record_count": False,
        })

    def _add_resource(self, package_id: str, output: Output) -> dict[str, Any]:
        resource = self._action("resource_create", {
            "package_id": package_id,
            **_resource_fields(output),
            "upload": FileStorage(io.BytesIO(output.content), filename=output.filename,
                                  content_type=output.mimetype),
        })
        if output.datastore is not None:
            self._create_table(resource["id"], output, with_rows=True)
            resource = self._action("resource_show", {"id": resource["id"]})
            self._action("resource_create_default_resource_views",
                         {"resource": resource, "create_datastore_views": True})
        return resource

    def discard(self, package_id: str) -> None:
        """Remove a half-made first publication (its DataStore tables, then itself)."""
        try:
            package = self._action("package_show", {"id": package_id})
            for resource in package["resources"]:
                if resource.get("datastore_active"):
                    with contextlib.suppress(tk.ObjectNotFound):   # not loaded yet
                        self._action("datastore_delete", {"resource_id": resource["id"],
                                                          "force": True})
            self._action("dataset_purge", {"id": package_id})
        except Exception:
            model.Session.rollback()
            log.exception("Could not remove the unfinished consultation dataset %s",
                          package_id)

    # -- later publications --------------------------------------------------------------

    def update(self, package_id: str, outputs: Sequence[Output],
               fields: dict[str, Any] | None = None,
               before_commit: BeforeCommit = _nothing,
               drop_others: bool = False) -> dict[str, Any]:
        """Switch the dataset to ``outputs`` (and ``fields``), all or nothing.

        Outputs are matched to resources by ``consultation_table``; unchanged files (same
        digest) are not rewritten. Outputs without a resource yet are added first (the
        previous resources untouched); with ``drop_others``, resources of tables no
        longer published are deleted once the switch is done.
        """
        current = self._action("package_show", {"id": package_id})
        by_table = {r["consultation_table"]: r for r in current["resources"]
                    if r.get("consultation_table")}
        added = []
        try:
            for output in outputs:
                if output.table not in by_table:
                    added.append(self._add_resource(current["id"], output))
        except BaseException:
            model.Session.rollback()
            self._delete_resources(added)
            raise
        if added:
            current = self._action("package_show", {"id": package_id})
            by_table = {r["consultation_table"]: r for r in current["resources"]
                        if r.get("consultation_table")}
        changed = [(output, by_table[output.table]) for output in outputs
                   if by_table[output.table].get("consultation_digest") != output.digest]
        wanted = {output.table for output in outputs}
        stale = [r for table, r in by_table.items() if drop_others and table not in wanted]

        staged: list[tuple[Path, Path]] = []
        saved = False
        try:
            staged = [_stage_file(resource["id"], output.content)
                      for output, resource in changed]
            with _datastore_transaction() as connection:
                for output, resource in changed:
                    if output.datastore is not None:
                        _replace_rows(connection, resource["id"], output)
                before_commit(current["id"])
                package = self._action("package_update",
                                       _updated_package(current, fields, changed))
                saved = True
        except BaseException:
            model.Session.rollback()
            if saved:   # the DataStore's commit failed after the dataset's
                self._restore(current)
            for path, _ in staged:
                path.unlink(missing_ok=True)
            self._delete_resources(added)
            raise
        for path, final in staged:
            path.replace(final)
        self._delete_resources(stale)
        return package

    def _restore(self, package: dict[str, Any]) -> None:
        try:
            self._action("package_update", package)
        except Exception:
            model.Session.rollback()
            log.exception("Could not restore the consultation dataset %s", package["id"])

    def _delete_resources(self, resources: Sequence[dict[str, Any]]) -> None:
        """Delete resources (CKAN drops their DataStore tables); errors are only logged."""
        for resource in resources:
            try:
                self._action("resource_delete", {"id": resource["id"]})
            except Exception:
                model.Session.rollback()
                log.exception("Could not delete the consultation resource %s", resource["id"])


def _resource_fields(output: Output) -> dict[str, Any]:
    return {
        "name": output.name,
        "description": output.description,
        "format": output.format,
        # No "mimetype": the regional DCAT profile would export it as a literal
        # dcat:mediaType, which DCAT-AP 3 refuses; the download is typed by its extension.
        "consultation_table": output.table,
        # Not CKAN's "hash": DCAT-AP 3 wants its algorithm, which the profiles omit.
        "consultation_digest": output.digest,
    }


def _updated_package(current: dict[str, Any], fields: dict[str, Any] | None,
                     changed: Sequence[tuple[Output, dict[str, Any]]]) -> dict[str, Any]:
    package = dict(current)
    package.pop("metadata_modified", None)   # else package_update keeps the old one
    if fields is not None:
        package.update(fields)
    package["modified"] = dt.date.today().isoformat()
    now = _utcnow()
    new_versions = {resource["id"]: output for output, resource in changed}
    resources = []
    for resource in current["resources"]:
        updated = dict(resource)
        output = new_versions.get(resource["id"])
        if output is not None:
            updated.update(_resource_fields(output), url=output.filename, url_type="upload",
                           size=len(output.content), last_modified=now)
        resources.append(updated)
    package["resources"] = resources
    return package


def _utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()


# -- files ------------------------------------------------------------------------------


def _stage_file(resource_id: str, content: bytes) -> tuple[Path, Path]:
    """Write ``content`` beside the resource's current file; (staged path, final path)."""
    upload = uploader.get_resource_uploader({"id": resource_id})
    if not isinstance(upload, uploader.ResourceUpload):
        raise TypeError("consultation resources need CKAN's local storage (ckan.storage_path)")
    final = Path(upload.get_path(resource_id))
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = final.with_name(f"{final.name}.{uuid.uuid4().hex}.new")
    with staged.open("wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    return staged, final


# -- DataStore --------------------------------------------------------------------------


@cache
def _engine(url: str) -> sa.engine.Engine:
    return sa.create_engine(url, pool_pre_ping=True)


@contextlib.contextmanager
def _datastore_transaction() -> Iterator[sa.engine.Connection]:
    """One transaction of the DataStore database, committed when the block succeeds."""
    engine = _engine(tk.config["ckan.datastore.write_url"])
    with engine.connect() as connection, connection.begin():
        timeout_ms = max(1, config.publication_lock_timeout()) * 1000
        connection.execute(sa.text(f"SET LOCAL lock_timeout = {int(timeout_ms)}"))
        yield connection


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _replace_rows(connection: sa.engine.Connection, resource_id: str, output: Output) -> None:
    """Replace every row of a resource's DataStore table."""
    connection.execute(sa.text(f"DELETE FROM {_quote(resource_id)}"))
    _insert_rows(connection, resource_id, output)


def _insert_rows(connection: sa.engine.Connection, resource_id: str, output: Output) -> None:
    """Insert an output's rows, a thousand per statement (CKAN's trigger on the table
    fills ``_full_text`` as for rows written through the DataStore API)."""
    assert output.datastore is not None
    if not output.datastore.records:
        return
    columns = output.datastore.column_ids
    statement = (f"INSERT INTO {_quote(resource_id)} "
                 f"({', '.join(_quote(c) for c in columns)}) VALUES %s")
    rows = [tuple(record[c] for c in columns) for record in output.datastore.records]
    with contextlib.closing(connection.connection.cursor()) as cursor:
        execute_values(cursor, statement, rows, page_size=1000)
