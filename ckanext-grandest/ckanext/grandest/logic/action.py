"""Actions of the grandest plugin (registered with tk.blanket.actions)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.grandest import helpers
from ckanext.grandest import vocabularies as vocab
from ckanext.grandest.logic import schema

__all__ = ["grandest_territory_autocomplete"]


@tk.side_effect_free
@tk.validate(schema.territory_autocomplete)
def grandest_territory_autocomplete(context: Context, data_dict: dict[str, Any]) -> list[dict]:
    """Territories of Grand Est matching a name or an INSEE code, for form pickers.

    :param q: part of a name ("saint die", accents optional) or an INSEE code
    :param limit: how many results (default 20, at most 50)
    :returns: a list of ``{"key", "label", "level", "code", "name"}``, best first
    """
    tk.check_access("grandest_territory_autocomplete", context, data_dict)
    found = vocab.search_territories(data_dict["q"], limit=min(data_dict["limit"], 50))
    return [
        {"key": t.key, "label": helpers.grandest_territory_label(t.key), "level": t.level,
         "code": t.code, "name": t.name}
        for t in found
    ]
