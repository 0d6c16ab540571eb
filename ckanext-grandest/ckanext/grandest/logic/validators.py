"""Validators of the regional schema (registered by name with tk.blanket.validators).

Every message names the rejected value and is translated (French by default); CKAN puts
it under the field's key in the error dict, so the API answers 409 with the field named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.grandest import vocabularies as vocab

__all__ = [
    "grandest_bbox",
    "grandest_email",
    "grandest_end_after_start",
    "grandest_frequency",
    "grandest_licence",
    "grandest_siren",
    "grandest_territories",
    "grandest_territory",
    "grandest_themes",
]

# INSEE département codes of metropolitan France and the overseas départements: a code
# with one of these prefixes exists but lies outside the region.
_FRENCH_DEPARTEMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _as_list(value: Any) -> list[str]:
    """Form posts give a string (comma-separated), the API a list or a JSON list."""
    if value is tk.missing or value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = [text]
        else:
            value = text.split(",")
    if not isinstance(value, Iterable):
        raise tk.Invalid(tk._("Expected a list of values"))
    return [str(v).strip() for v in value if str(v).strip()]


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def territory_key(value: str) -> str:
    """The territory key for a user's value: a key, an INSEE URI or a bare INSEE code.

    Bare codes: 5 characters = commune, 9 digits = EPCI (SIREN), else département;
    the région is given as ``region:44`` or by its URI.
    """
    text = value.strip()
    if text.startswith(("http://", "https://")):
        key = vocab.territory_from_uri(text)
        if key is None:
            raise tk.Invalid(tk._("Unknown INSEE code: {value}").format(value=text))
        return key
    if ":" in text:
        level, _, code = text.partition(":")
    elif len(text) == 5:
        level, code = "commune", text
    elif len(text) == 9 and text.isdigit():
        level, code = "epci", text
    else:
        level, code = "departement", text
    code = code.upper()
    key = f"{level}:{code}"
    if vocab.territory(key):
        return key
    if _outside_region(level, code):
        raise tk.Invalid(
            tk._("{value} is outside Grand Est: the coverage must lie within région Grand Est")
            .format(value=text)
        )
    raise tk.Invalid(tk._("Unknown INSEE code: {value}").format(value=text))


def _outside_region(level: str, code: str) -> bool:
    """Whether a code unknown to the regional COG is a real French code of elsewhere."""
    regional = {t.code for t in vocab.territories().values() if t.level == "departement"}
    if level == "departement":
        return code in _FRENCH_DEPARTEMENTS
    if level == "commune":
        departement = code[:3] if code.startswith("97") else code[:2]
        return departement in _FRENCH_DEPARTEMENTS and departement not in regional
    return level == "region" and len(code) == 2 and code.isdigit()


def grandest_territories(value: Any, context: Context) -> Any:
    """A list of territories of Grand Est, stored as a JSON list of keys."""
    if value is tk.missing or value is None:
        return value
    keys = _dedupe(territory_key(v) for v in _as_list(value))
    return json.dumps(keys)


def grandest_territory(value: Any, context: Context) -> Any:
    """One territory of Grand Est (an organisation's territory), stored as its key."""
    if value in (tk.missing, None, ""):
        return value
    return territory_key(str(value))


def grandest_themes(value: Any, context: Context) -> Any:
    """EU data themes, given as codes (ENVI) or URIs, stored as a JSON list of codes."""
    if value is tk.missing or value is None:
        return value
    codes = []
    for item in _as_list(value):
        code = vocab.theme_from_uri(item) or item.upper()
        if code not in vocab.themes():
            raise tk.Invalid(tk._("Unknown theme: {value}").format(value=item))
        codes.append(code)
    return json.dumps(_dedupe(codes))


def grandest_frequency(value: Any, context: Context) -> Any:
    """An EU update frequency, given as a code (ANNUAL) or URI, stored as its code."""
    if value in (tk.missing, None, ""):
        return value
    code = vocab.frequency_from_uri(value) or str(value).strip().upper()
    if code not in vocab.frequencies():
        raise tk.Invalid(tk._("Unknown update frequency: {value}").format(value=value))
    return code


def grandest_licence(value: Any, context: Context) -> Any:
    """A licence id of the portal's licence list (data.gouv.fr ids)."""
    if value in (tk.missing, None, ""):
        return value
    if value not in vocab.licences():
        raise tk.Invalid(tk._("Unknown licence: {value}").format(value=value))
    return value


def grandest_email(value: Any, context: Context) -> Any:
    if value in (tk.missing, None, ""):
        return value
    value = str(value).strip()
    if not EMAIL.match(value):
        raise tk.Invalid(tk._("Malformed e-mail address: {value}").format(value=value))
    return value


def grandest_siren(value: Any, context: Context) -> Any:
    """A SIREN: 9 digits whose Luhn checksum is valid."""
    if value in (tk.missing, None, ""):
        return value
    digits = re.sub(r"\s", "", str(value))
    if not re.fullmatch(r"\d{9}", digits):
        raise tk.Invalid(tk._("A SIREN has 9 digits: {value}").format(value=value))
    if not _luhn_ok(digits):
        raise tk.Invalid(tk._("Invalid SIREN (wrong checksum): {value}").format(value=value))
    return digits


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def grandest_bbox(value: Any, context: Context) -> Any:
    """A bounding box "west,south,east,north" in WGS 84 degrees."""
    if value in (tk.missing, None, ""):
        return value
    parts = _as_list(value) if not isinstance(value, str) else value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise tk.Invalid(
            tk._("A bounding box is four numbers: west,south,east,north")
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise tk.Invalid(tk._("Bounding box out of range or inverted: {value}").format(
            value=value))
    return ",".join(f"{n:g}" for n in (west, south, east, north))


def grandest_end_after_start(start_field: str):
    """Checks that this date field is not before ``start_field`` (ISO dates compare as text)."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        end, start = data.get(key), data.get((*key[:-1], start_field))
        if end in (None, "", tk.missing) or start in (None, "", tk.missing):
            return
        if str(end)[:10] < str(start)[:10]:
            errors[key].append(tk._("The end date is before the start date"))

    return validator
