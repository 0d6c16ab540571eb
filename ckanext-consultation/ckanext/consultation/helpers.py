"""Template helpers of the consultation pages (registered with tk.blanket.helpers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

__all__ = [
    "consultation_cell",
    "consultation_label",
    "consultation_origin_label",
    "consultation_resource_kind",
    "consultation_safe_url",
]


# Labels are built at call time: tk._ translates in the page's language.
def _origins() -> dict[str, str]:
    return {
        "region": tk._("Région Grand Est"),
        "referent": tk._("A department of the Region"),
        "citizen": tk._("A citizen's question"),
    }


def consultation_label(text: str) -> str:
    """A status label as a badge shows it: first letter upper case, the rest as is."""
    return text[:1].upper() + text[1:]


def consultation_origin_label(origin: str) -> str:
    return _origins().get(origin, origin)


def consultation_cell(count: int | None, percentage: float | None) -> str:
    """A published cell as the data tables show it: "1 234 (29 %)", or "secret"."""
    if count is None:
        return tk._("secret")
    text = tk.h.localised_number(count)
    if percentage is None:
        return text
    return f"{text} ({tk.h.localised_number(percentage)}\u00a0%)"


def consultation_resource_kind(resource: dict[str, Any]) -> str:
    """How a resource of a consultation dataset can be used: its format, and "API"
    when it is loaded into the DataStore."""
    kind = resource.get("format") or ""
    if resource.get("datastore_active"):
        kind = f"{kind} · API" if kind else "API"
    return kind


def consultation_safe_url(url: str | None) -> str | None:
    """A follow-up link's URL if it is a web address (never ``javascript:`` and the like)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None
