"""The policy's thresholds and their defaults (docs/anonymisation-policy.md)."""

from __future__ import annotations

import pytest

from ckanext.consultation.anonymisation import Policy


def test_defaults_are_the_policy_thresholds():
    policy = Policy()
    assert policy.min_cell_count == 11
    assert policy.homogeneity_max_group == 50
    assert policy.homogeneity_share == 0.9
    assert policy.min_commune_respondents == 50
    assert policy.max_crossed_variables == 2
    assert policy.dp_epsilon_per_poll == 1.0


def test_protection_level_defaults_to_k_values():
    assert Policy().protection_level == 11
    assert Policy().required_interval_width == 10
    assert Policy(min_cell_count=5).protection_level == 5
    assert Policy(protection_level=20).required_interval_width == 19


@pytest.mark.parametrize(
    "options",
    [
        {"min_cell_count": 0},
        {"homogeneity_share": 1.5},
        {"max_crossed_variables": -1},
        {"protection_level": 1},
        {"dp_epsilon_per_poll": 0},
        {"dp_level_shares": (0.5, 0.5, 0.5)},
    ],
)
def test_inconsistent_thresholds_are_rejected(options):
    with pytest.raises(ValueError):
        Policy(**options)


def test_policy_is_immutable():
    with pytest.raises(AttributeError):
        Policy().min_cell_count = 3  # type: ignore[misc]
