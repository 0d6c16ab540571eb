"""Releases of the synthetic poll, computed once per test run and shared by the tests."""

from __future__ import annotations

from functools import cache

from ckanext.consultation.anonymisation import (
    Policy,
    PollCounts,
    ProtectedRelease,
    default_tables,
    protect_poll,
)

from .attacker import AttackerView, attacker_view
from .synthetic_population import synthetic_counts

POLICY = Policy()


def counts() -> PollCounts:
    return synthetic_counts()


@cache
def default_release() -> ProtectedRelease:
    """Every default table, communes included."""
    return protect_poll(counts(), POLICY)


@cache
def full_crossing_release() -> ProtectedRelease:
    """Every table the policy allows, answer x département x age x sex included."""
    return protect_poll(counts(), POLICY, tables=default_tables(departement_age_sex=True))


@cache
def default_view() -> AttackerView:
    return attacker_view(default_release(), counts())


@cache
def full_crossing_view() -> AttackerView:
    return attacker_view(full_crossing_release(), counts())
