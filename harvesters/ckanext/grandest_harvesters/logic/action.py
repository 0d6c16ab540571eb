"""Actions of the grandest_harvest plugin (registered with tk.blanket.actions)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.grandest_harvesters import indexing, preview, queue_recovery
from ckanext.grandest_harvesters.indexing import (
    harvest_objects_import,
    package_create,
    package_show,
    package_update,
)
from ckanext.grandest_harvesters.logic import schema

# package_* and harvest_objects_import: chained actions of indexing.py (one rendering per
# harvested dataset, search documents sent in batches).
__all__ = ["grandest_harvest_preview", "harvest_jobs_run", "harvest_objects_import",
           "package_create", "package_show", "package_update"]


@tk.side_effect_free
@tk.validate(schema.harvest_preview)
def grandest_harvest_preview(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Gathers and maps the first records of a source without writing anything.

    :param url: the source's URL
    :param type: the harvester type (``legacy_alsace``, ``opendatasoft``, …)
    :param config: the source configuration (JSON object), optional
    :param limit: how many records (default 10, at most 100)
    :returns: ``{"datasets": [{"remote_id", "dataset", "warnings"}], "errors": [...]}``
    """
    tk.check_access("grandest_harvest_preview", context, data_dict)
    return preview.preview(data_dict["type"], data_dict["url"], data_dict.get("config"),
                           min(data_dict["limit"], 100))


@tk.chained_action
def harvest_jobs_run(original_action, context: Context, data_dict: dict[str, Any]) -> Any:
    """ckanext-harvest's scheduler pass, after the fetch queue has got back the objects
    of consumers that died, and without the copies of objects it queues again (see
    :mod:`queue_recovery`); the queued search documents are sent before jobs are marked
    finished (see :mod:`indexing`)."""
    tk.check_access("harvest_jobs_run", context, data_dict)
    queue_recovery.recover_fetch_queue()
    result = indexing.run_with_documents_sent(original_action, context, data_dict)
    queue_recovery.remove_copies()
    return result
