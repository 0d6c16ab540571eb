"""Rule 4: one nested hierarchy région > département > commune, small communes pooled.

A commune is shown only with enough respondents; every other commune of a département
(and its answers without a commune) goes into that département's "autres communes", so
a commune with 1-3 respondents is never visible. Pools nest exactly in their département:
no other zoning is ever published beside this hierarchy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .policy import Policy
from .tables import NOT_PROVIDED, PollCounts


@dataclass(frozen=True)
class GeographicUnit:
    """A published commune, or the pool of a département's other communes."""

    code: str
    label: str
    departement: int
    """Index of the unit's département in the grid."""
    pooled: bool


@dataclass(frozen=True)
class Geography:
    """The communes shown and the pools, with where each location's answers go."""

    units: tuple[GeographicUnit, ...]
    unit_of_location: np.ndarray

    @property
    def shown_communes(self) -> int:
        return sum(not unit.pooled for unit in self.units)


def pool_communes(counts: PollCounts, policy: Policy) -> Geography:
    """Show communes with at least ``min_commune_respondents``; pool the others.

    Units come département by département in grid order: shown communes in grid order,
    then the pool (always present, even when empty, so the table's shape does not
    depend on which small communes happened to answer).
    """
    grid = counts.grid
    totals = counts.location_totals()
    units: list[GeographicUnit] = []
    unit_of_location = np.full(grid.location_count, -1, dtype=np.intp)
    for d, (code, name) in enumerate(grid.departements):
        for location, commune in enumerate(grid.communes):
            if commune.departement == code and totals[location] >= policy.min_commune_respondents:
                unit_of_location[location] = len(units)
                units.append(GeographicUnit(commune.code, commune.name, d, pooled=False))
        pool = len(units)
        if code == NOT_PROVIDED:
            units.append(GeographicUnit(NOT_PROVIDED, NOT_PROVIDED, d, pooled=True))
        else:
            units.append(GeographicUnit(f"{code}-autres", f"Autres communes ({name})", d, True))
        for location in np.flatnonzero(grid.location_departement == d):
            if unit_of_location[location] < 0:
                unit_of_location[location] = pool
    return Geography(tuple(units), unit_of_location)


def counts_by_unit(counts: PollCounts, geography: Geography) -> np.ndarray:
    """``array[option, unit]``: answers per published commune or pool."""
    per_location = counts.array.sum(axis=(1, 2))
    out = np.zeros((per_location.shape[0], len(geography.units)), dtype=np.int64)
    np.add.at(out.T, geography.unit_of_location, per_location.T)
    return out
