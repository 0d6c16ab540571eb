"""The base every harvester of the portal stands on.

A source's harvester is only its gather logic (``gather_records``: the remote records,
each with its stable id) and its mapping (``map_record``: a remote record to a dataset of
the regional schema). This base owns the rest, on ckanext-harvest's queues:

- gather: records are hashed; an unchanged record is reported "not modified" with no
  write to its dataset (no package update, no Solr commit); records that disappeared from
  a complete listing are withdrawn (deleted, or kept as private);
- import: upsert of the mapped dataset (create, or update of the dataset the record
  already feeds), with CKAN's validation; a record that would create a dataset the portal
  already has (from another source, or published by hand) is reported instead
  (:mod:`dedup`); every failure becomes a readable error on its record, never an
  exception that stops the job;
- HTTP through :mod:`fetching` (limits, retries, SSRF guard).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from ckanext.grandest_harvesters import dedup, indexing, queue_recovery
from ckanext.grandest_harvesters.fetching import FetchError

log = logging.getLogger(__name__)

WITHDRAW_POLICIES = ("delete", "private")
WITHDRAWN = "withdrawn"   # the digest a withdrawn record is known by


class MappingError(Exception):
    """A remote record cannot become a dataset; the message goes to the job report."""


@dataclass(frozen=True)
class RemoteRecord:
    """One record of a source: its stable remote id and its content (JSON-serialisable)."""

    guid: str
    content: Any

    def digest(self) -> str:
        canonical = json.dumps(self.content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SkippedRecord:
    """Yielded by ``gather_records`` for a listed record that cannot be harvested: the
    reason goes to the job's gather errors, and the record is not withdrawn for it."""

    reason: str
    guid: str | None = None


@dataclass
class _Known:
    """What the portal holds for a remote id: its dataset and the digest it was built from."""

    package_id: str
    digest: str | None


class GrandEstHarvester(HarvesterBase):
    """Shared gather / fetch / import logic; subclasses add ``info``, gather and mapping."""

    #: Name shown in dataset pages (``source_platform``); subclasses set it.
    platform = ""

    # -- what a source's harvester provides ---------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord | SkippedRecord]:
        """Yields every record of the source; raises FetchError if the listing fails."""
        raise NotImplementedError

    def map_record(self, content: Any, warnings: list[str]) -> dict[str, Any]:
        """A record's content -> a dataset dict of the regional schema.

        Writes nothing (previews use it too). Raises MappingError when the record cannot
        be published; appends to ``warnings`` what was dropped or defaulted. Without
        ``owner_org`` the dataset goes to the source's organisation; ``_organisation``
        (an organization_create dict) names another one, created on first use.
        """
        raise NotImplementedError

    # -- source configuration -------------------------------------------------------------

    def validate_config(self, source_config: str | None) -> str | None:
        if not source_config:
            return source_config
        try:
            parsed = json.loads(source_config)
        except ValueError as e:
            raise ValueError(tk._("The configuration is not valid JSON: {error}")
                             .format(error=e)) from None
        if not isinstance(parsed, dict):
            raise ValueError(tk._("The configuration must be a JSON object"))
        withdraw = parsed.get("withdraw", "delete")
        if withdraw not in WITHDRAW_POLICIES:
            raise ValueError(tk._("withdraw must be delete or private"))
        self.check_config(parsed)
        return source_config

    def check_config(self, parsed: dict[str, Any]) -> None:
        """The source type's own keys, in the parsed configuration: raises ValueError."""

    def source_config(self, harvest_job_or_object: Any) -> dict[str, Any]:
        source = harvest_job_or_object.source
        return json.loads(source.config) if source.config else {}

    # -- gather -------------------------------------------------------------------------

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        source_config = self.source_config(harvest_job)
        known = _known_records(harvest_job.source_id)
        seen: set[str] = set()
        # Harvest objects are written in batches: a large source is never held whole
        # in memory, only the ids of the objects to import.
        batch = _ObjectBatch()
        complete = True
        try:
            for record in self.gather_records(harvest_job.source.url, source_config):
                if isinstance(record, SkippedRecord):
                    self._save_gather_error(record.reason, harvest_job)
                    if record.guid:
                        seen.add(record.guid)     # listed: not to be withdrawn
                    continue
                if record.guid in seen:
                    self._save_gather_error(
                        tk._("The source lists the record {guid} twice: only the first is "
                             "harvested").format(guid=record.guid), harvest_job)
                    continue
                seen.add(record.guid)
                digest = record.digest()
                current = known.get(record.guid)
                if current and current.digest == digest:
                    batch.add(_object_row(harvest_job, record.guid, current.package_id,
                                          state="COMPLETE", report="not modified"))
                    continue
                row = _object_row(harvest_job, record.guid,
                                  current.package_id if current else None,
                                  content=json.dumps(record.content, ensure_ascii=False))
                row["extras"] = {"status": "change" if current else "new", "digest": digest}
                batch.add(row, to_import=True)
        except FetchError as e:
            complete = False
            self._save_gather_error(
                tk._("The source could not be read entirely ({error}); datasets missing "
                     "from it are kept until a complete harvest").format(error=e), harvest_job)
        if complete:
            for guid, current in known.items():
                if guid not in seen and current.digest != WITHDRAWN:
                    row = _object_row(harvest_job, guid, current.package_id)
                    row["extras"] = {"status": "delete"}
                    batch.add(row, to_import=True)
        batch.flush()
        log.info("%s: %d to import or withdraw, %d not modified", harvest_job.source.url,
                 len(batch.to_import), batch.unchanged)
        return batch.to_import

    # -- fetch: records come whole from the listing ---------------------------------------

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        # Tells the scheduler which object this consumer holds, should it die on it.
        queue_recovery.holding(harvest_object.id)
        return True

    # -- import -------------------------------------------------------------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        extras = {e.key: e.value for e in harvest_object.extras}
        try:
            if extras.get("status") == "delete":
                return self._withdraw(harvest_object)
            warnings: list[str] = []
            dataset = self.map_record(json.loads(harvest_object.content), warnings)
            duplicate = dedup.conflict(harvest_object, dataset, self.platform)
            if duplicate:
                raise MappingError(duplicate)
            if warnings:
                self._save_object_error(
                    tk._("Record {guid} imported with warnings: {warnings}")
                    .format(guid=harvest_object.guid, warnings="; ".join(warnings)),
                    harvest_object, "Import")
            return self._upsert(harvest_object, dataset)
        except MappingError as e:
            self._save_object_error(str(e), harvest_object, "Import")
        except tk.ValidationError as e:
            self._save_object_error(_validation_message(e), harvest_object, "Import")
        except Exception as e:
            model.Session.rollback()    # a failed flush leaves the session unusable till then
            log.exception("Import of %s failed", harvest_object.guid)
            self._save_object_error(
                tk._("Unexpected error: {error}").format(error=repr(e)), harvest_object, "Import")
        model.Session.rollback()
        return False

    def _context(self, **flags: bool) -> dict[str, Any]:
        return {"user": self._get_user_name(), "ignore_auth": True, "use_cache": False,
                "model": model, "session": model.Session, **flags}

    def _upsert(self, harvest_object: HarvestObject, dataset: dict[str, Any]) -> bool:
        dataset = {**dataset, "source_platform": self.platform,
                   "remote_id": dataset.get("remote_id") or harvest_object.guid}
        organisation = dataset.pop("_organisation", None)
        if organisation:
            dataset["owner_org"] = self._ensure_organisation(organisation)
        if not dataset.get("owner_org"):
            # A harvest source is a dataset of its organisation: the default publisher.
            dataset["owner_org"] = model.Package.get(harvest_object.source.id).owner_org
        # The object stays locked until its dataset is committed: a second run of it (a
        # message delivered twice, see queue_recovery.py) waits, then updates that dataset.
        model.Session.refresh(harvest_object, ["package_id"], with_for_update=True)
        existing = model.Package.get(harvest_object.package_id) \
            if harvest_object.package_id else None
        # The dataset and its harvest object are committed together; its search document,
        # built from the one rendering CKAN makes of it, joins the batch sent to Solr
        # (see indexing.py): per-dataset renderings and Solr requests would dominate a
        # harvest's cost. Every batch is sent before the job is marked finished.
        context = self._context(defer_commit=True, return_id_only=True)
        with indexing.rendered_once() as renderings:
            if existing is not None:
                # Also brings back a dataset withdrawn earlier (deleted or made private).
                dataset.update(id=existing.id, name=existing.name, state="active",
                               private=False)
                package_id = tk.get_action("package_update")(context, dataset)
            else:
                dataset["name"] = self._gen_new_name(dataset["title"])
                package_id = tk.get_action("package_create")(context, dataset)
        if existing is not None:      # a new dataset has no other harvest object
            _retire_objects(package_id)
        harvest_object.package_id = package_id
        harvest_object.current = True
        harvest_object.save()
        indexing.queue_document(package_id, renderings.get(package_id), harvest_object.id)
        return True

    def _ensure_organisation(self, organisation: dict[str, Any]) -> str:
        existing = model.Group.by_name(organisation["name"])
        if existing is not None:
            return existing.id
        return tk.get_action("organization_create")(self._context(), dict(organisation))["id"]

    def _withdraw(self, harvest_object: HarvestObject) -> bool:
        """The record left the source: its dataset is deleted, or kept as private."""
        package = model.Package.get(harvest_object.package_id)
        if package is not None and package.state == "active":
            if self.source_config(harvest_object).get("withdraw", "delete") == "private":
                tk.get_action("package_patch")(self._context(),
                                               {"id": package.id, "private": True})
            else:
                tk.get_action("package_delete")(self._context(), {"id": package.id})
        _retire_objects(harvest_object.package_id)
        harvest_object.current = False      # ckanext-harvest reports it "deleted"
        harvest_object.save()
        return True


# -- bookkeeping queries -----------------------------------------------------------------


def _known_records(source_id: str) -> dict[str, _Known]:
    """Remote id -> dataset and digest, for every record of a source the portal holds.

    A record's current harvest object carries the digest of what was imported (its
    "digest" extra, set at gather). A withdrawn record is known by its last withdrawal,
    with the digest WITHDRAWN: it is not withdrawn again, and if it comes back it
    revives the same dataset.
    """
    digest = sa.select(HarvestObjectExtra.value).where(
        HarvestObjectExtra.harvest_object_id == HarvestObject.id,
        HarvestObjectExtra.key == "digest",
    ).scalar_subquery()
    current = model.Session.execute(
        sa.select(HarvestObject.guid, HarvestObject.package_id, digest)
        .where(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True))
    )
    known = {guid: _Known(package_id, value) for guid, package_id, value in current}
    withdrawn = model.Session.execute(
        sa.select(HarvestObject.guid, HarvestObject.package_id)
        .where(HarvestObject.harvest_source_id == source_id,
               HarvestObject.report_status == "deleted", HarvestObject.package_id.isnot(None))
        .order_by(HarvestObject.import_finished)
    )
    for guid, package_id in withdrawn:
        if guid not in known or known[guid].digest == WITHDRAWN:
            known[guid] = _Known(package_id, WITHDRAWN)
    return known


def _retire_objects(package_id: str | None) -> None:
    if package_id:
        model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == package_id, HarvestObject.current.is_(True)
        ).update({"current": False}, synchronize_session=False)


def _object_row(job: HarvestJob, guid: str, package_id: str | None, *, content: str | None = None,
                state: str = "WAITING", report: str | None = None) -> dict[str, Any]:
    now = dt.datetime.utcnow()
    return {
        "id": str(uuid.uuid4()), "guid": guid, "harvest_job_id": job.id,
        "harvest_source_id": job.source_id, "package_id": package_id, "content": content,
        "state": state, "report_status": report, "current": False, "gathered": now,
        "import_finished": now if state == "COMPLETE" else None, "retry_times": 0,
    }


class _ObjectBatch:
    """Harvest object rows written a thousand at a time; remembers the ids to import."""

    size = 1000

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.to_import: list[str] = []
        self.unchanged = 0

    def add(self, row: dict[str, Any], *, to_import: bool = False) -> None:
        self.rows.append(row)
        if to_import:
            self.to_import.append(row["id"])
        else:
            self.unchanged += 1
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        _insert_objects(self.rows)
        self.rows = []


def _insert_objects(rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT for the objects and one for their extras."""
    extras = [
        {"id": str(uuid.uuid4()), "harvest_object_id": row["id"], "key": key, "value": value}
        for row in rows for key, value in row.pop("extras", {}).items()
    ]
    if rows:
        model.Session.execute(sa.insert(HarvestObject.__table__), rows)
    if extras:
        model.Session.execute(sa.insert(HarvestObjectExtra.__table__), extras)
    model.Session.commit()


def _validation_message(error: tk.ValidationError) -> str:
    """"champ : message; …" from CKAN's error dict (nested lists of subfields included)."""
    parts = []
    for field, messages in (error.error_dict or {}).items():
        if field == "__type":
            continue
        flat = []
        for message in messages if isinstance(messages, list) else [messages]:
            if isinstance(message, dict):
                flat += [f"{k}: {', '.join(map(str, v))}" for k, v in message.items() if v]
            else:
                flat.append(str(message))
        parts.append(f"{field}: {'; '.join(flat)}")
    return tk._("Invalid dataset: {errors}").format(errors=" | ".join(parts))
