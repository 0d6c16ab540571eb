"""Rule 2: no secret cell can be recomputed from totals, margins and the other tables.

The attacks read the published rows only (``attacker.py``), across all tables of the
poll at once, and solve for every secret cell.
"""

from __future__ import annotations

import numpy as np
import pytest

from ckanext.consultation.anonymisation import (
    TableSpec,
    feasible_intervals,
    pinned_cells,
    protect_poll,
)
from ckanext.consultation.anonymisation.audit import settle_zeros
from ckanext.consultation.anonymisation.release import SECRET

from .attacker import homogeneous_cells, required_widths
from .releases import POLICY, default_release, default_view, full_crossing_view
from .small_polls import answer, poll

VIEWS = [default_view, full_crossing_view]


@pytest.mark.parametrize("view", VIEWS)
def test_subtraction_from_totals_fails(view):
    """LP over all tables: every secret cell keeps a wide enough feasible interval."""
    view = view()
    groups = homogeneous_cells(view, POLICY.homogeneity_max_group, POLICY.homogeneity_share)
    required = required_widths(view, POLICY.min_cell_count, groups)
    intervals = feasible_intervals(view.knowledge, required, required=required)
    exposed = {
        view.keys[c]: intervals[c][0]
        for c, width in required.items()
        if intervals[c][0].width < width - 1e-6
    }
    assert not exposed


def test_small_secret_cells_may_be_k_or_more_for_the_attacker():
    view = default_view()
    small = [c for c in view.secret if 1 <= view.truth[c] < POLICY.min_cell_count]
    assert small
    intervals = feasible_intervals(
        view.knowledge, small, required=dict.fromkeys(small, POLICY.min_cell_count)
    )
    assert all(intervals[c][0].upper >= POLICY.min_cell_count for c in small)


@pytest.mark.parametrize("view", VIEWS)
def test_reconstruction_by_integer_programming_fails(view):
    """No secret cell has a unique integer value consistent with all released tables,
    except zeros that published zeros already give away (a zero total has zero parts)."""
    view = view()
    pinned = pinned_cells(view.knowledge, view.truth, view.secret)
    given_away = settle_zeros(view.knowledge)
    assert all(view.truth[c] == 0 and not given_away.unknown[c] for c in pinned)


def test_no_line_leaves_a_lone_secret_part_under_a_published_total():
    knowledge = default_view().knowledge
    unknown = np.isnan(knowledge.values)
    for total, parts in knowledge.relations:
        hidden = [p for p in parts if unknown[p]]
        assert unknown[total] or len(hidden) != 1


def test_the_engines_own_audit_covers_every_secret_cell():
    release = default_release()
    assert release.audit is not None and release.audit.passes
    secret = sum(row["statut"] == SECRET for t in release.tables for row in t.records())
    assert secret >= len(release.audit.entries) > 0


def test_a_small_cell_is_protected_by_a_rectangle():
    """The classic 2 x 2 case: four secret cells, nothing else."""
    counts = poll(
        [
            (3, answer("Oui", "25-34", "femme", "57463")),
            (20, answer("Non", "25-34", "femme", "57463")),
            (25, answer("Oui", "35-49", "femme", "57463")),
            (60, answer("Non", "35-49", "femme", "57463")),
            (90, answer("Plutôt oui", "50-64", "homme", "57463")),
        ]
    )
    table = protect_poll(counts, tables=[TableSpec("age", "region", ("age_band",))])
    rows = {(r["tranche_age"], r["reponse"]): r["statut"] for r in table.table("age").records()}
    assert rows[("25-34", "Oui")] == SECRET
    assert rows[("35-49", "Oui")] == SECRET  # the only partner in its column
    assert rows[("25-34", "Non")] == SECRET  # the only partner in its row
    assert rows[("35-49", "Non")] == SECRET  # closes the rectangle
    assert sum(status == SECRET for status in rows.values()) == 4


def test_the_cheapest_complement_is_chosen():
    """Among the partners that can give the small cell its room, the smallest count."""
    counts = poll(
        [
            (4, answer("Oui", "25-34", "femme", "57463")),
            (30, answer("Non", "25-34", "femme", "57463")),
            (14, answer("Plutôt non", "25-34", "femme", "57463")),
            (50, answer("Oui", "35-49", "femme", "57463")),
            (50, answer("Non", "35-49", "femme", "57463")),
            (50, answer("Plutôt non", "35-49", "femme", "57463")),
        ]
    )
    table = protect_poll(counts, tables=[TableSpec("age", "region", ("age_band",))])
    rows = {(r["tranche_age"], r["reponse"]): r["statut"] for r in table.table("age").records()}
    assert rows[("25-34", "Oui")] == SECRET
    assert rows[("25-34", "Plutôt non")] == SECRET  # 14 < 30
    assert rows[("25-34", "Non")] != SECRET
