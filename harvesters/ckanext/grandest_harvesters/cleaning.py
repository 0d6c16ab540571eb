"""Turning remote metadata values into values of the regional schema, for every harvester."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from markdownify import markdownify

_TAG_FORBIDDEN = re.compile(r"[^\w\s.-]")


def text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def as_list(value: Any) -> list[Any]:
    """Remote platforms give lists, null, or a lone value where a list is expected."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def markdown(*html_parts: str | None) -> str:
    """HTML descriptions (paragraphs joined) as Markdown, the format of CKAN's notes."""
    html = "\n\n".join(p for p in html_parts if p and p.strip())
    return markdownify(html, heading_style="ATX").strip() if html else ""


def tags(keywords: Iterable[Any]) -> list[dict[str, str]]:
    """Keywords as CKAN tags (letters, digits, spaces, - _ . only; 2 to 100 characters),
    one tag per keyword whatever its case."""
    found: dict[str, str] = {}
    for keyword in keywords:
        name = " ".join(_TAG_FORBIDDEN.sub(" ", text(keyword)).split())[:100].strip()
        if len(name) >= 2:
            found.setdefault(name.casefold(), name)
    return [{"name": name} for name in found.values()]


def iso_date(value: Any) -> str | None:
    """The date part of an ISO 8601 value ("2015-09-30T08:30:00Z" -> "2015-09-30"), or None."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None
