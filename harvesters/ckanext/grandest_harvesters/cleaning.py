"""Turning remote metadata values into values of the regional schema, for every harvester."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from markdownify import markdownify

from ckanext.grandest.logic.validators import EMAIL

_TAG_FORBIDDEN = re.compile(r"[^\w\s.-]")
_PUNCTUATION = re.compile(r"[-_/'’‘`´\"«»(),;:.\u2010-\u2015]")


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


def fold(value: Any) -> str:
    """Case-, accent- and punctuation-insensitive form of a label, for matching it against
    the mapping tables (whose keys are folded the same way)."""
    folded = unicodedata.normalize(
        "NFKD", str(value).casefold().replace("œ", "oe").replace("æ", "ae"))
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def contact(name: str, email: str, warnings: list[str]) -> dict[str, str] | None:
    """A contact point of the regional schema; an address the schema would refuse is left
    out with a warning, so that the dataset is still imported."""
    if email and not EMAIL.match(email):
        warnings.append(tk._("invalid contact e-mail address « {email} », left out")
                        .format(email=email))
        email = ""
    found = {key: value for key, value in (("name", name), ("email", email)) if value}
    return found or None
