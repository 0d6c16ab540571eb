"""The engine's entry point: from a poll question's counts to its protected release.

``protect_poll`` takes counts, never answers: the database aggregates a
1,000,000-answer poll with one GROUP BY, and the engine's cost then depends on the
size of the category grid, not on the number of answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .audit import AuditEntry, AuditReport
from .differential_privacy import NoisyCounts, consistent_counts
from .dimensions import DimensionRefused, TableSpec, check_tables, default_tables
from .geography import Geography, counts_by_unit, pool_communes
from .linked_tables import TOTAL, CellKey, LinkedTables, build_linked_tables
from .methodology import Methodology
from .policy import Policy
from .release import ProtectedRelease, build_tables
from .suppression import Reason, Suppression, suppress_cells
from .tables import PollCounts


@dataclass(frozen=True)
class ProtectedCells:
    """The engine's working state for one question (never published as such)."""

    tables: LinkedTables
    suppression: Suppression
    geography: Geography | None


def protect_cells(
    counts: PollCounts, policy: Policy, tables: Sequence[TableSpec]
) -> ProtectedCells:
    """Lay out the linked tables and apply rules 1-4 to them."""
    specs = check_tables(tables, policy)
    geography = None
    units: tuple = ()
    by_unit = None
    if any(spec.level == "commune" for spec in specs):
        geography = pool_communes(counts, policy)
        units, by_unit = geography.units, counts_by_unit(counts, geography)
    linked = build_linked_tables(
        counts.grid, counts.by_departement(), specs, units=units, by_unit=by_unit
    )
    return ProtectedCells(linked, suppress_cells(linked, policy), geography)


def protect_poll(
    counts: PollCounts,
    policy: Policy | None = None,
    *,
    tables: Sequence[TableSpec] | None = None,
    publish_communes: bool = True,
    noisy: NoisyCounts | None = None,
) -> ProtectedRelease:
    """The publishable tables of one poll question.

    ``counts`` come from ``aggregate_answers`` or ``PollCounts.from_groups`` (a GROUP BY)
    or ``PollCounts(grid, array)``. ``tables`` defaults to ``default_tables`` (communes
    only if ``publish_communes``); each is checked against rule 5. With ``noisy`` (stored
    noise from
    ``draw_noisy_counts``), the release is the differential-privacy one, built from
    the stored noise alone: ``counts`` then only gives the grid.
    """
    policy = policy or Policy()
    if noisy is not None:
        return _protect_with_noise(counts, policy, tables, noisy)
    specs = tuple(tables) if tables is not None else default_tables(publish_communes)
    cells = protect_cells(counts, policy, specs)
    linked, suppression = cells.tables, cells.suppression
    shown = linked.published & ~suppression.suppressed
    methodology = _methodology(
        policy,
        "suppression",
        cells_published=int(shown.sum()),
        cells_suppressed_frequency=suppression.count(Reason.FREQUENCY),
        cells_suppressed_homogeneity=suppression.count(Reason.HOMOGENEITY),
        cells_suppressed_secondary=suppression.count(Reason.SECONDARY),
        communes_shown=cells.geography.shown_communes if cells.geography else None,
    )
    audit = AuditReport(
        tuple(
            AuditEntry(linked.labels(int(e.cell)), e.interval, e.required)  # type: ignore[call-overload]
            for e in suppression.report.entries
        )
    )
    return ProtectedRelease(
        build_tables(linked, shown, policy.percentage_decimals),
        methodology,
        _participants(linked, shown),
        audit,
    )


def _protect_with_noise(
    counts: PollCounts, policy: Policy, tables: Sequence[TableSpec] | None, noisy: NoisyCounts
) -> ProtectedRelease:
    noisy.check_grid(counts.grid)
    specs = check_tables(
        tables if tables is not None else default_tables(publish_communes=False), policy
    )
    if any(spec.level == "commune" for spec in specs):
        raise DimensionRefused(
            "En mode confidentialité différentielle, les résultats ne sont pas publiés au "
            "niveau communal."
        )
    linked = build_linked_tables(counts.grid, consistent_counts(noisy), specs)
    shown = linked.published.copy()
    methodology = _methodology(
        policy,
        "differential_privacy",
        cells_published=int(shown.sum()),
        epsilon=noisy.total_epsilon,
        mechanism=noisy.mechanism,
    )
    tables_out = build_tables(linked, shown, policy.percentage_decimals)
    return ProtectedRelease(tables_out, methodology, _participants(linked, shown))


def _methodology(policy: Policy, mode: str, **outcome: object) -> Methodology:
    return Methodology(
        mode=mode,  # type: ignore[arg-type]
        min_cell_count=policy.min_cell_count,
        protection_level=policy.required_interval_width + 1,
        homogeneity_max_group=policy.homogeneity_max_group,
        homogeneity_share=policy.homogeneity_share,
        min_commune_respondents=policy.min_commune_respondents,
        max_crossed_variables=policy.max_crossed_variables,
        percentage_decimals=policy.percentage_decimals,
        **outcome,  # type: ignore[arg-type]
    )


def _participants(linked: LinkedTables, shown: np.ndarray) -> int | None:
    grand_total = linked.index[CellKey(TOTAL, 0, TOTAL, TOTAL)]
    return int(linked.values[grand_total]) if shown[grand_total] else None
