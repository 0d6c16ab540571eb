"""How the base saves a harvested dataset's renderings and search document.

Two costs dominate the import of a harvested dataset besides CKAN's validation and save
(see docs/benchmarks.md):

- CKAN renders a dataset it has just saved three times: the ``activity`` plugin stores
  ``package_show``'s output in the activity (after a Solr lookup that cannot find the new
  dataset), and the search index renders it again with the default and the dataset-type
  show schemas. Inside :func:`rendered_once`, the chained ``package_create`` and
  ``package_update`` render the saved dataset once (CKAN's own
  ``package_show_default_and_custom_schemas``) and the chained ``package_show`` answers
  the activity with that rendering; the search document is built from it too.
- One Solr update request per dataset. The base queues each dataset's document in Redis
  (:func:`queue_document`, shared by every fetch consumer and the scheduler) and the queue
  is sent in one request per batch (:func:`flush`): when it holds ``index_batch_size``
  documents or its oldest is ``index_max_delay`` seconds old, and always before
  ``harvester run`` marks a job finished (:func:`run_with_documents_sent`, from the
  plugin's chained ``harvest_jobs_run``), so that a finished job's datasets are
  searchable.

The document is CKAN's own: :func:`_build_document` runs CKAN's
``PackageSearchIndex.index_package`` with a connection that keeps the document instead of
sending it (CKAN builds and sends in that one method and has no batch form). Before
sending, each queued document is checked against the dataset's ``metadata_modified`` in
the database: a document that is no longer current is replaced by CKAN's indexing of the
dataset as it is, one whose dataset does not exist (its transaction never committed) is
dropped.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import ckan.lib.search.index as search_index
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import search
from ckan.lib.redis import connect_to_redis
from ckan.types import Context
from ckanext.harvest.model import HarvestObjectError

from ckanext.grandest_harvesters import config

log = logging.getLogger(__name__)


# -- one rendering per saved dataset -----------------------------------------------------


@dataclass(frozen=True)
class Rendering:
    """A saved dataset rendered with the default and with its type's show schema."""

    metadata_modified: str
    default: dict[str, Any]
    custom: dict[str, Any]


_renderings: ContextVar[dict[str, Rendering] | None] = ContextVar(
    "grandest_harvest_renderings", default=None)


@contextmanager
def rendered_once() -> Iterator[dict[str, Rendering]]:
    """Within it, the datasets that ``package_create`` and ``package_update`` save with
    ``defer_commit`` are rendered once, into the yielded dict (dataset id -> Rendering)."""
    renderings: dict[str, Rendering] = {}
    token = _renderings.set(renderings)
    try:
        yield renderings
    finally:
        _renderings.reset(token)


def _remember(context: Context, package: model.Package) -> None:
    renderings = _renderings.get()
    if renderings is None or not context.get("defer_commit"):
        return    # without defer_commit, CKAN rendered and indexed it already
    default, custom = logic.package_show_default_and_custom_schemas(context, package.id)
    renderings[package.id] = Rendering(package.metadata_modified.isoformat(), default, custom)


def _saved_package(result: Any) -> model.Package | None:
    return model.Package.get(result if isinstance(result, str) else result["id"])


@tk.chained_action
def package_create(up_func: Callable[..., Any], context: Context,
                   data_dict: dict[str, Any]) -> Any:
    result = up_func(context, data_dict)
    if _renderings.get() is not None and (package := _saved_package(result)) is not None:
        _remember(context, package)
    return result


@tk.chained_action
def package_update(up_func: Callable[..., Any], context: Context,
                   data_dict: dict[str, Any]) -> Any:
    if _renderings.get() is None:
        return up_func(context, data_dict)
    before = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    modified_before = before.metadata_modified if before is not None else None
    result = up_func(context, data_dict)
    package = _saved_package(result)
    if package is not None and context.get("defer_commit") \
            and package.metadata_modified != modified_before:
        # With defer_commit, CKAN's package_update returns before it notes the change
        # that makes the activity plugin record it: noted here, as without defer_commit.
        context.setdefault("changed_entities", {}).setdefault("packages", set()).add(
            package.id)
        _remember(context, package)
    return result


def _plain_show(context: Context, data_dict: dict[str, Any]) -> bool:
    """A package_show whose answer is the rendering with the dataset type's schema."""
    return not (context.get("for_view") or "schema" in context
                or context.get("validate", True) is False
                or tk.asbool(data_dict.get("use_default_schema", False))
                or tk.asbool(data_dict.get("include_plugin_data", False)))


@tk.chained_action
@tk.side_effect_free
def package_show(up_func: Callable[..., Any], context: Context,
                 data_dict: dict[str, Any]) -> Any:
    renderings = _renderings.get()
    if renderings and _plain_show(context, data_dict):
        package = model.Package.get(data_dict.get("id") or data_dict.get("name_or_id") or "")
        rendering = renderings.get(package.id) if package is not None else None
        if rendering is not None \
                and rendering.metadata_modified == package.metadata_modified.isoformat():
            context["package"] = package
            tk.check_access("package_show", context, data_dict)
            return copy.deepcopy(rendering.custom)
    return up_func(context, data_dict)


# -- search documents --------------------------------------------------------------------


class _KeepingConnection:
    """Stands for the Solr connection in CKAN's document builder: keeps what it is sent."""

    url = "(documents kept for a batch)"

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], **kwargs: Any) -> None:
        self.docs.extend(docs)


_kept: ContextVar[_KeepingConnection | None] = ContextVar("grandest_kept_docs", default=None)

# CKAN's PackageSearchIndex.index_package, its globals unchanged but for the connection.
_index_package_keeping = types.FunctionType(
    search_index.PackageSearchIndex.index_package.__code__,
    {**vars(search_index), "make_connection": lambda *args, **kwargs: _kept.get()},
    "index_package",
    search_index.PackageSearchIndex.index_package.__defaults__,
    search_index.PackageSearchIndex.index_package.__closure__,
)


def _build_document(rendering: Rendering) -> dict[str, Any] | None:
    """The Solr document CKAN would send for this rendering (None: none to send)."""
    connection = _KeepingConnection()
    token = _kept.set(connection)
    try:
        _index_package_keeping(search.index_for(model.Package),
                               dict(rendering.default, with_custom_schema=rendering.custom),
                               True)
    finally:
        _kept.reset(token)
    return connection.docs[0] if connection.docs else None


# -- the queue of documents to send ------------------------------------------------------


def _keys() -> tuple[str, str, str]:
    prefix = f"ckanext.grandest_harvesters:{tk.config['ckan.site_id']}:index"
    return f"{prefix}:queue", f"{prefix}:since", f"{prefix}:lock"


def queue_document(package_id: str, rendering: Rendering | None,
                   harvest_object_id: str | None = None) -> None:
    """Queues the search document of a dataset whose transaction was just committed, and
    sends the queue if it is due. Without a rendering, the flush indexes the dataset the
    way CKAN does (its current state in the database)."""
    entry: dict[str, Any] = {"id": package_id, "object": harvest_object_id}
    if rendering is not None:
        try:
            document = _build_document(rendering)
        except Exception:
            # The dataset is saved: the flush will index it the way CKAN does, and
            # report it if that fails too.
            log.exception("Building the search document of %s failed", package_id)
        else:
            if document is None:
                return    # CKAN removed it from the index instead (deleted dataset)
            entry.update(modified=rendering.metadata_modified, doc=document)
    try:
        payload = json.dumps(entry, ensure_ascii=False)
    except (TypeError, ValueError):
        # A value JSON cannot carry: indexed the way CKAN does at the flush.
        payload = json.dumps({"id": package_id, "object": harvest_object_id})
    queue_key, since_key, _ = _keys()
    redis = connect_to_redis()
    with redis.pipeline() as pipe:
        pipe.rpush(queue_key, payload)
        pipe.set(since_key, time.time(), nx=True)
        pipe.get(since_key)
        length, _, since = pipe.execute()
    if length >= config.index_batch_size() or \
            time.time() - float(since or 0) >= config.index_max_delay():
        try:
            flush(wait=False)
        except Exception:
            # The dataset is saved; its document stays queued for the next flush.
            log.exception("Sending the queued search documents failed")


def pending() -> int:
    """How many documents wait in the queue."""
    return connect_to_redis().llen(_keys()[0])


def flush(wait: bool = True) -> int:
    """Sends every queued document to Solr, a batch per request, without a Solr commit.

    One flush at a time (a Redis lock): with ``wait``, waits for a flush under way, then
    sends what is left; without, returns at once if one is under way. Returns how many
    datasets were indexed. A document Solr refuses is reported on its harvest object; if
    Solr cannot be reached, the queue is kept and the error raised.
    """
    queue_key, since_key, lock_key = _keys()
    redis = connect_to_redis()
    # The lock expires if its holder dies; a live holder renews it at each batch.
    lock = redis.lock(lock_key, timeout=120, blocking=wait)
    if not lock.acquire():
        return 0
    indexed = 0
    try:
        batch_size = config.index_batch_size()
        while raw := redis.lrange(queue_key, 0, batch_size - 1):
            indexed += _send([json.loads(item) for item in raw])
            # Removed once sent: a flush that dies midway leaves them to the next one.
            with redis.pipeline() as pipe:
                pipe.ltrim(queue_key, len(raw), -1)
                pipe.set(since_key, time.time())
                pipe.execute()
            lock.reacquire()
        redis.delete(since_key)
    finally:
        lock.release()
    return indexed


def _send(entries: list[dict[str, Any]]) -> int:
    latest = {entry["id"]: entry for entry in entries}     # the last queued wins
    saved = dict(model.Session.execute(
        sa.select(model.Package.id, model.Package.metadata_modified)
        .where(model.Package.id.in_(list(latest)))).all())
    current, stale = [], []
    for package_id, entry in latest.items():
        if package_id not in saved:
            continue           # never committed, or purged since
        modified: dt.datetime = saved[package_id]
        if entry.get("doc") and entry.get("modified") == modified.isoformat():
            current.append(entry)
        else:
            stale.append(entry)
    indexed = _add(current) if current else 0
    anew = _index_anew(stale) if stale else 0
    log.info("Search index: %d harvested datasets sent in one request, %d indexed anew "
             "(changed since queued), %d dropped", indexed, anew,
             len(latest) - len(current) - len(stale))
    return indexed + anew


def _add(entries: list[dict[str, Any]]) -> int:
    """Sends the documents in one request; returns how many Solr took."""
    connection = search.make_connection()
    docs = [entry["doc"] for entry in entries]
    try:
        connection.add(docs=docs, commit=False)
        return len(docs)
    except Exception as e:      # pysolr.SolrError, socket errors
        batch_error = e
    # One by one, to tell a document Solr refuses from Solr being unreachable.
    refused = []
    for entry, doc in zip(entries, docs, strict=True):
        try:
            connection.add(docs=[doc], commit=False)
        except Exception as e:
            refused.append((entry, e))
    if len(refused) == len(entries):
        raise search.SearchIndexError(f"Solr refused the batch: {batch_error}")
    for entry, error in refused:
        _report(entry, error)
    return len(entries) - len(refused)


def _index_anew(entries: list[dict[str, Any]]) -> int:
    """Indexes the datasets as they are now, the way CKAN does (one request each)."""
    failed = []
    for entry in entries:
        try:
            search.rebuild(package_ids=[entry["id"]], defer_commit=True, quiet=True)
        except Exception as e:
            model.Session.rollback()
            failed.append((entry, e))
    if failed and len(failed) == len(entries):
        raise search.SearchIndexError(f"Indexing failed: {failed[0][1]}")
    for entry, error in failed:
        _report(entry, error)
    return len(entries) - len(failed)


def _report(entry: dict[str, Any], error: Exception) -> None:
    """A dataset saved but not indexed: logged, and reported on its harvest object."""
    log.error("Dataset %s could not be indexed: %s", entry["id"], error)
    if entry.get("object"):
        HarvestObjectError(
            message=tk._("The dataset was saved but could not be indexed for search: "
                         "{error}").format(error=str(error)[:500]),
            harvest_object_id=entry["object"], stage="Import").save()


# -- flushes around ckanext-harvest's actions --------------------------------------------


def run_with_documents_sent(harvest_jobs_run: Callable[..., Any], context: Context,
                            data_dict: dict[str, Any]) -> Any:
    """ckanext-harvest's ``harvest_jobs_run`` (called by the chained one of the plugin),
    with the queued documents sent before it marks jobs finished, so that a finished
    job's datasets are searchable (it commits Solr when a job finishes); sent again after
    it, with a commit, for imports that ended meanwhile."""
    flush()
    result = harvest_jobs_run(context, data_dict)
    if flush():
        search.commit()
    return result


@tk.chained_action
def harvest_objects_import(up_func: Callable[..., Any], context: Context,
                           data_dict: dict[str, Any]) -> Any:
    """``harvester import`` re-imports objects outside a job: indexed when it ends."""
    result = up_func(context, data_dict)
    if flush():
        search.commit()
    return result
