"""The attacker's tools succeed where a publication leaks: without this, attacks that
"fail" on the real publication would prove nothing."""

from __future__ import annotations

import numpy as np

from ckanext.consultation.synthetic_answers import Respondent

from .attacker import (
    TOTAL,
    feasible_intervals,
    linear_system,
    minimum,
    pinned_cells,
    read_cells,
)


def _rows(cells: dict[tuple[str, str], int | None]) -> list[dict]:
    """An "age" table of the région: (age band, answer) -> count or None (secret)."""
    return [{"niveau": "région", "code_territoire": "44", "tranche_age": age, "reponse": answer,
             "effectif": count} for (age, answer), count in cells.items()]


def _answers(cells: dict[tuple[str, str], int]) -> list[Respondent]:
    out = []
    for (age, answer), n in cells.items():
        if TOTAL not in (age, answer):
            out += [Respondent(f"a{len(out)}", f"r{len(out)}", answer, age, "femme", "67",
                               "67482") for _ in range(n)]
    return out


TRUTH = {("15-24", "Oui"): 3, ("15-24", "Non"): 40, ("15-24", TOTAL): 43,
         ("25-34", "Oui"): 30, ("25-34", "Non"): 50, ("25-34", TOTAL): 80,
         (TOTAL, "Oui"): 33, (TOTAL, "Non"): 90, (TOTAL, TOTAL): 123}


def test_a_lone_secret_cell_under_a_published_total_is_recomputed():
    """Only the small cell hidden: total minus the others gives it exactly."""
    published = {**TRUTH, ("15-24", "Oui"): None}
    system = linear_system(read_cells(_rows(published)), _answers(TRUTH))
    ((low, high),) = feasible_intervals(system).values()
    assert low == high == 3
    assert {system.keys[c] for c in pinned_cells(system)} == {("44", "15-24", TOTAL, "Oui")}


def test_a_rectangle_of_secret_cells_keeps_them_ambiguous():
    """The four cells of a rectangle hidden: each moves with the others."""
    published = {**TRUTH, ("15-24", "Oui"): None, ("15-24", "Non"): None,
                 ("25-34", "Oui"): None, ("25-34", "Non"): None}
    system = linear_system(read_cells(_rows(published)), _answers(TRUTH))
    intervals = feasible_intervals(system)
    low, high = intervals[system.index[("44", "15-24", TOTAL, "Oui")]]
    assert (low, high) == (1, 32)
    assert not pinned_cells(system)


def test_a_homogeneous_group_is_exposed_when_its_answers_are_published():
    """A group of 43 whose "Non" count is published at 40: at least 90 % said "Non"."""
    published = {**TRUTH, ("15-24", "Oui"): None}
    system = linear_system(read_cells(_rows(published)), _answers(TRUTH))
    group = system.index[("44", "15-24", TOTAL, TOTAL)]
    share = minimum(system, {system.index[("44", "15-24", TOTAL, "Non")]: 1.0, group: -0.9})
    assert share >= 0
    assert np.isclose(share, 40 - 0.9 * 43)
