"""Actions of the grandest_harvest plugin (registered with tk.blanket.actions)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.grandest_harvesters import preview
from ckanext.grandest_harvesters.logic import schema

__all__ = ["grandest_harvest_preview"]


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
