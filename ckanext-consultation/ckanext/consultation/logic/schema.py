"""Input schemas of the consultation_* actions.

Answer rows of ``consultation_answers_import`` are checked by ``validators.AnswerRules``,
not here: only the batch's envelope goes through a schema.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema

from ckanext.consultation.logic import validators as v
from ckanext.consultation.model import FOLLOWUP_STATUSES, ORIGINS, PRIVACY_MODES, STATUSES

MODERATION_DECISIONS = ("accept", "reject")


def validate(schema_func: Callable[[], Schema]):
    """``tk.validate``, with a field-named message when a field of a nested schema is not a
    list of objects (CKAN's validation stops with a bare "DataError" on those)."""

    def decorator(action):
        validated = tk.validate(schema_func)(action)

        @functools.wraps(action)
        def wrapper(context, data_dict: dict[str, Any]):
            nested = [key for key, rule in schema_func().items() if isinstance(rule, dict)]
            errors = {key: [tk._("Expected a list of objects")] for key in nested
                      if key in data_dict and not _list_of_dicts(data_dict[key])}
            if errors:
                raise tk.ValidationError(errors)
            return validated(context, data_dict)

        return wrapper

    return decorator


def _list_of_dicts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _territory():
    # The regional COG validator of ckanext-grandest (keys, INSEE codes or URIs).
    return tk.get_validator("grandest_territory")


@validator_args
def question(not_empty, unicode_safe) -> Schema:
    return {
        "text": [not_empty, unicode_safe],
        "options": [not_empty, v.consultation_options],
    }


@validator_args
def consultation_create(ignore_missing, not_empty, unicode_safe, default,
                        name_validator) -> Schema:
    return {
        "name": [ignore_missing, unicode_safe, name_validator, v.consultation_name_available],
        "title": [not_empty, unicode_safe],
        "description": [default(""), unicode_safe],
        "theme": [ignore_missing, v.consultation_theme],
        "territory": [default("region:44"), unicode_safe, _territory()],
        "opens_on": [ignore_missing, v.consultation_date],
        "closes_on": [ignore_missing, v.consultation_date, v.consultation_not_before("opens_on")],
        "privacy_mode": [default("suppression"), v.consultation_one_of(PRIVACY_MODES)],
        "questions": question(),
    }


@validator_args
def consultation_question_submit(ignore_missing, not_empty, unicode_safe, default,
                                 boolean_validator) -> Schema:
    return {
        "title": [not_empty, unicode_safe],
        "description": [default(""), unicode_safe],
        "theme": [ignore_missing, v.consultation_theme],
        "territory": [default("region:44"), unicode_safe, _territory()],
        "author_public": [default(False), boolean_validator],
        "questions": question(),
    }


@validator_args
def consultation_update(ignore_missing, not_empty, unicode_safe,
                        boolean_validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "title": [ignore_missing, not_empty, unicode_safe],
        "description": [ignore_missing, unicode_safe],
        "theme": [ignore_missing, v.consultation_theme],
        "territory": [ignore_missing, unicode_safe, _territory()],
        "opens_on": [ignore_missing, v.consultation_date],
        "closes_on": [ignore_missing, v.consultation_date, v.consultation_not_before("opens_on")],
        "privacy_mode": [ignore_missing, v.consultation_one_of(PRIVACY_MODES)],
        "author_public": [ignore_missing, boolean_validator],
        "questions": question(),
    }


@validator_args
def consultation_moderate(not_empty, unicode_safe, default) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "decision": [not_empty, v.consultation_one_of(MODERATION_DECISIONS)],
        "reason": [default(""), unicode_safe],
    }


@validator_args
def consultation_id(not_empty, unicode_safe) -> Schema:
    """Actions on one consultation: ``id`` (or name)."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def consultation_list(ignore_missing, default, int_validator, natural_number_validator,
                      is_positive_integer, boolean_validator) -> Schema:
    return {
        "status": [ignore_missing, v.consultation_one_of(STATUSES)],
        "origin": [ignore_missing, v.consultation_one_of(ORIGINS)],
        "mine": [default(False), boolean_validator],
        "limit": [default(20), int_validator, is_positive_integer],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def followup_link(not_empty, unicode_safe, url_validator) -> Schema:
    return {
        "title": [not_empty, unicode_safe],
        "url": [not_empty, unicode_safe, url_validator],
    }


@validator_args
def consultation_followup_create(not_empty, unicode_safe, ignore_missing,
                                 default) -> Schema:
    return {
        "consultation_id": [not_empty, unicode_safe],
        "date": [ignore_missing, v.consultation_date],
        "status": [not_empty, v.consultation_one_of(FOLLOWUP_STATUSES)],
        "progress": [default(0), v.consultation_percentage],
        "decision": [not_empty, unicode_safe],
        "links": followup_link(),
    }


@validator_args
def consultation_followup_list(not_empty, unicode_safe) -> Schema:
    return {"consultation_id": [not_empty, unicode_safe]}


@validator_args
def consultation_answers_import(not_empty, unicode_safe) -> Schema:
    """The envelope of a batch; ``answers`` is checked row by row (``AnswerRules``)."""
    return {"consultation_id": [not_empty, unicode_safe]}


@validator_args
def consultation_answer_erase(ignore_missing, not_empty, unicode_safe) -> Schema:
    return {
        "consultation_id": [ignore_missing, unicode_safe],
        "respondent_key": [not_empty, unicode_safe],
    }
