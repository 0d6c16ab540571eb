"""Rule 6: interim figures only if the difference is safe; no corrected republication."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest

from ckanext.consultation.anonymisation import (
    PollCounts,
    RepublicationRefused,
    TableSpec,
    aggregate_answers,
    difference_is_safe,
    difference_problems,
    feasible_intervals,
    guard_republication,
    protect_poll,
)

from .attacker import (
    attacker_view,
    combined_view,
    homogeneous_cells,
    published_cells,
    required_widths,
)
from .releases import POLICY, counts, default_release
from .small_polls import answer, poll
from .synthetic_population import synthetic_answers, synthetic_grid

SMALL_TABLES = [
    TableSpec("ensemble", "region"),
    TableSpec("departement", "departement"),
    TableSpec("age", "region", ("age_band",)),
    TableSpec("sexe", "region", ("sex",)),
]


def _without_one_answer(poll: PollCounts) -> tuple[PollCounts, tuple[int, ...]]:
    array = poll.array.copy()
    cell = tuple(int(i) for i in np.argwhere(array)[1234])
    array[cell] -= 1
    return PollCounts(poll.grid, array), cell


def _differences(first, second) -> dict:
    a, b = published_cells(first), published_cells(second)
    return {k: b[k] - a[k] for k in a if a[k] is not None and b.get(k) is not None}


def test_interim_vs_final_differencing_is_refused():
    interim = aggregate_answers(islice(synthetic_answers(), 30_000), synthetic_grid())
    problems = difference_problems(interim, counts(), POLICY)
    assert problems and "différences" in problems[0]
    assert not difference_is_safe(interim, counts(), POLICY)


def test_one_late_answer_would_be_singled_out_and_is_refused():
    interim, _ = _without_one_answer(counts())
    first = protect_poll(interim, tables=SMALL_TABLES)
    second = protect_poll(counts(), tables=SMALL_TABLES)
    differences = _differences(first, second)
    # The attack: the rows that moved by exactly 1 give the late respondent's answer.
    assert any(d == 1 for k, d in differences.items() if k[3] != "Ensemble")
    assert not difference_is_safe(interim, counts(), POLICY, SMALL_TABLES)


def test_a_safe_interim_release_resists_differencing():
    """Answers arriving in groups of 11 or more per cell: the difference is publishable,
    and an attacker combining both releases narrows no secret cell."""
    interim = counts()
    grid = interim.grid
    array = interim.array.copy()
    strasbourg = next(i for i, c in enumerate(grid.communes) if c.code == "67482")
    for option, n in enumerate((20, 15, 0, 20)):
        array[option, 1, 0, strasbourg] += n
    final = PollCounts(grid, array)
    assert difference_is_safe(interim, final, POLICY, SMALL_TABLES)
    first = attacker_view(protect_poll(interim, tables=SMALL_TABLES), interim)
    second = attacker_view(protect_poll(final, tables=SMALL_TABLES), final)
    view = combined_view(first, second)
    groups = homogeneous_cells(view, POLICY.homogeneity_max_group, POLICY.homogeneity_share)
    required = required_widths(view, POLICY.min_cell_count, groups)
    assert required
    intervals = feasible_intervals(view.knowledge, required, required=required)
    assert all(intervals[c][0].width >= w - 1e-6 for c, w in required.items())


def test_interim_commune_tables_are_refused():
    problems = difference_problems(counts(), counts(), POLICY, [TableSpec("commune", "commune")])
    assert problems and "communaux" in problems[0]


def test_republication_after_erasure_is_refused():
    published = default_release()
    erased, _ = _without_one_answer(counts())
    corrected = protect_poll(erased)
    # What a corrected table would give away: the cells that lost exactly one answer.
    assert any(d == -1 for d in _differences(published, corrected).values())
    with pytest.raises(RepublicationRefused, match="déjà été publiée"):
        guard_republication(published, corrected)
    assert "effacement" in difference_problems(counts(), erased, POLICY)[0]


def test_first_publication_and_identical_reexports_are_allowed():
    small = poll(
        [
            (30, answer("Oui", "25-34", "femme", "57463")),
            (3, answer("Non", "65+", "homme", "57463")),
        ]
    )
    release = protect_poll(small)
    guard_republication(None, release)
    guard_republication(release, protect_poll(small))
