"""Typed accessors of the consultation plugin's options (declared in config_declaration.yaml).

The anonymisation engine never reads configuration: ``policy()`` builds its ``Policy``
from the declared thresholds, in one place.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.consultation.anonymisation import Policy

_PREFIX = "ckanext.consultation."


def _get(key: str):
    return tk.config[_PREFIX + key]


def min_cell_count() -> int:
    return int(_get("min_cell_count"))


def homogeneity_max_group() -> int:
    return int(_get("homogeneity_max_group"))


def homogeneity_share() -> float:
    return float(_get("homogeneity_share"))


def min_commune_respondents() -> int:
    return int(_get("min_commune_respondents"))


def max_crossed_variables() -> int:
    return int(_get("max_crossed_variables"))


def dp_epsilon_per_poll() -> float:
    return float(_get("dp.epsilon_per_poll"))


def dp_epsilon_per_year() -> float:
    return float(_get("dp.epsilon_per_year"))


def policy() -> Policy:
    """The anonymisation policy as configured (docs/anonymisation-policy.md)."""
    return Policy(
        min_cell_count=min_cell_count(),
        homogeneity_max_group=homogeneity_max_group(),
        homogeneity_share=homogeneity_share(),
        min_commune_respondents=min_commune_respondents(),
        max_crossed_variables=max_crossed_variables(),
        dp_epsilon_per_poll=dp_epsilon_per_poll(),
        dp_epsilon_per_year=dp_epsilon_per_year(),
    )


def publication_organization() -> str:
    return _get("publication.organization")


def publish_communes() -> bool:
    return tk.asbool(_get("publication.communes"))


def publish_departement_age_sex() -> bool:
    return tk.asbool(_get("publication.departement_age_sex"))


def publication_lock_timeout() -> int:
    return int(_get("publication.lock_timeout"))


def publication_schedule_days() -> int:
    return int(_get("publication.schedule_days"))


def moderators_organization() -> str:
    """The organisation whose editors and admins moderate consultations."""
    return _get("moderators_organization")


def referents_group() -> str:
    """The CKAN group of the referents."""
    return _get("referents_group")


def app_user() -> str:
    """The user the citizen app authenticates as."""
    return _get("app_user")


def import_chunk_size() -> int:
    return _get("import.chunk_size")


def import_max_errors() -> int:
    return _get("import.max_errors")
