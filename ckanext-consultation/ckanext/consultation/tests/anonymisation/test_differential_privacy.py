"""Optional differential-privacy mode (OpenDP discrete Laplace on the fixed grid)."""

from __future__ import annotations

import json
from functools import cache
from math import prod

import numpy as np
import pytest

from ckanext.consultation.anonymisation import (
    DimensionRefused,
    NoisyCounts,
    Policy,
    TableSpec,
    budget_split,
    default_tables,
    draw_noisy_counts,
    protect_poll,
)
from ckanext.consultation.anonymisation.differential_privacy import (
    fit_to_total,
    largest_remainder,
    project_to_simplex,
)
from ckanext.consultation.anonymisation.release import SECRET

from .attacker import published_cells
from .releases import POLICY, counts
from .small_polls import answer, poll


@cache
def noisy() -> NoisyCounts:
    return draw_noisy_counts(counts(), POLICY)


@cache
def dp_release():
    return protect_poll(counts(), noisy=noisy())


def test_reexports_from_stored_noise_are_byte_identical():
    stored = json.dumps(noisy().to_dict())
    first = protect_poll(counts(), noisy=NoisyCounts.from_dict(json.loads(stored)))
    second = protect_poll(counts(), noisy=NoisyCounts.from_dict(json.loads(stored)))
    assert first.to_json() == second.to_json() == dp_release().to_json()


def test_every_cell_of_the_grid_is_measured_even_empty_ones():
    grid = counts().grid
    shape = (len(grid.options), len(grid.departements), len(grid.age_bands), len(grid.sexes))
    assert len(noisy().values["detail"]) == prod(shape)
    truth = np.moveaxis(counts().by_departement(), 3, 1).ravel()
    measured = np.array(noisy().values["detail"])
    empty = truth == 0
    assert empty.sum() > 20
    assert (measured[empty] != 0).any()  # empty cells got noise too


def test_empty_categories_are_present_in_every_table():
    grid = counts().grid
    sizes = {"age_band": len(grid.age_bands) + 1, "sex": len(grid.sexes) + 1}
    specs = default_tables(publish_communes=False)
    for table, spec in zip(dp_release().tables, specs, strict=True):
        territories = 1 + (len(grid.departements) if spec.level == "departement" else 0)
        expected = territories * (len(grid.options) + 1) * prod(sizes[v] for v in spec.variables)
        assert len(table.rows) == expected


def test_counts_are_non_negative_integers_consistent_with_their_totals():
    grid = counts().grid
    cells = published_cells(dp_release())
    assert all(isinstance(v, int) and v >= 0 for v in cells.values())
    for (territory, age, sex, option), value in cells.items():
        if option == "Ensemble":
            parts = [cells[(territory, age, sex, o)] for o in grid.options]
            assert value == sum(parts)  # type: ignore[arg-type]
        if territory == "44" and (d := (grid.departement_codes[0], age, sex, option)) in cells:
            parts = [cells[(code, age, sex, option)] for code in grid.departement_codes]
            assert value == sum(parts), d  # type: ignore[arg-type]
    assert not any(r["statut"] == SECRET for t in dp_release().tables for r in t.records())


def test_noisy_results_stay_close_to_the_truth():
    assert abs(dp_release().participants - counts().total) < 200  # type: ignore[operator]


def test_the_budget_is_split_across_the_measured_tables():
    split = budget_split(POLICY)
    assert set(split) == {"ensemble", "departement", "detail"}
    assert sum(split.values()) == pytest.approx(POLICY.dp_epsilon_per_poll)
    assert noisy().total_epsilon == pytest.approx(POLICY.dp_epsilon_per_poll)
    assert noisy().scale == {k: pytest.approx(1 / v) for k, v in split.items()}


def test_methodology_states_epsilon_in_french():
    text = dp_release().methodology.text()
    assert "ε = 1" in text
    assert "Laplace discrète" in text


def test_communes_are_not_published_in_this_mode():
    with pytest.raises(DimensionRefused, match="communal"):
        protect_poll(counts(), noisy=noisy(), tables=[TableSpec("commune", "commune")])


def test_noise_measured_on_another_grid_is_refused():
    other = poll([(12, answer("Oui", "25-34", "femme", "57463"))])
    smaller = draw_noisy_counts(other, Policy())
    changed = NoisyCounts.from_dict(
        {
            **smaller.to_dict(),
            "categories": {**smaller.to_dict()["categories"], "options": ["Oui", "Non"]},
        }
    )
    with pytest.raises(ValueError, match="grid"):
        protect_poll(other, noisy=changed)


def test_post_processing_is_non_negative_and_exact():
    assert project_to_simplex(np.array([5.0, -3.0, 1.0]), 4) == pytest.approx([4.0, 0.0, 0.0])
    assert list(largest_remainder(np.array([1.5, 1.5, 1.0]), 4)) == [2, 1, 1]
    fitted = fit_to_total(np.array([-2.0, 7.0, 3.0, 0.4]), 9)
    assert fitted.sum() == 9 and (fitted >= 0).all()
    assert list(fit_to_total(np.array([3.0, 4.0]), 0)) == [0, 0]
