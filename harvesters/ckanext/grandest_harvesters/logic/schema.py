"""Input schemas of the grandest_harvest actions."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema


@validator_args
def harvest_preview(not_empty, unicode_safe, url_validator, default, int_validator,
                    is_positive_integer, ignore_missing, dict_only) -> Schema:
    return {
        "url": [not_empty, unicode_safe, url_validator],
        "type": [not_empty, unicode_safe],
        "config": [ignore_missing, dict_only],
        "limit": [default(10), int_validator, is_positive_integer],
    }
