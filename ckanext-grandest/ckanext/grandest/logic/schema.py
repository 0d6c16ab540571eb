"""Input schemas of the grandest_* actions."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema


@validator_args
def territory_autocomplete(
    not_empty, unicode_safe, default, int_validator, is_positive_integer
) -> Schema:
    return {
        "q": [not_empty, unicode_safe],
        "limit": [default(20), int_validator, is_positive_integer],
    }
