"""Template helpers (registered with tk.blanket.helpers)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

from ckanext.grandest import vocabularies as vocab

__all__ = [
    "grandest_body_type_choices",
    "grandest_filter_label",
    "grandest_filter_title",
    "grandest_frequency_choices",
    "grandest_label",
    "grandest_territory_label",
    "grandest_territory_options",
    "grandest_theme_choices",
]


def _choices(table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"value": code, "label": entry.get("labels", entry)} for code, entry in table.items()]


def grandest_theme_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    return _choices(vocab.themes())


def grandest_frequency_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    return _choices(vocab.frequencies())


def grandest_body_type_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    return _choices(vocab.body_types())


def grandest_label(vocabulary: str, code: str) -> str:
    """The label of a theme / frequency / body type code in the page's language."""
    table = {"theme": vocab.themes, "frequency": vocab.frequencies,
             "body_type": vocab.body_types}[vocabulary]()
    entry = table.get(code)
    if not entry:
        return code
    labels = entry.get("labels", entry)
    return labels.get(_language()) or labels["fr"]


def _language() -> str:
    """The page's language; the default one outside web requests (CLI, jobs)."""
    return tk.h.lang() if has_request_context() else tk.config["ckan.locale_default"]


def grandest_territory_label(key: str) -> str:
    """ "commune:67482" -> "Strasbourg (commune, 67482)"."""
    territory = vocab.territory(key)
    if territory is None:
        return key
    level = {"region": tk._("region"), "departement": tk._("department"),
             "epci": tk._("EPCI"), "commune": tk._("municipality")}[territory.level]
    return f"{territory.name} ({level}, {territory.code})"


def grandest_territory_options(value: Any) -> list[tuple[str, str]]:
    """(key, label) of the territories in a field's value: a list, a JSON list or a key."""
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else value.split(",")
        except ValueError:
            value = [value]
    return [(key, grandest_territory_label(key)) for key in value if key]


_VOCABULARY_OF_FIELD = {"vocab_theme": "theme", "vocab_frequency": "frequency",
                        "vocab_body_type": "body_type"}


def grandest_filter_title(field: str) -> str:
    """Title of an active search filter that is not one of the page's facets."""
    if field == "vocab_territory_area":
        return tk._("Territory")
    return field


def grandest_filter_label(field: str, value: str) -> str | None:
    """Label of an active filter on a regional field; None for other fields."""
    if field in ("vocab_territory", "vocab_territory_area"):
        return grandest_territory_label(value)
    if field in _VOCABULARY_OF_FIELD:
        return grandest_label(_VOCABULARY_OF_FIELD[field], value)
    return None
