"""All tables of one poll as a single set of linked cells (rule 2: they share totals).

A cell is identified by its coordinates, whichever table shows it: the région row of
the "by département" table *is* the cell of the overall table. Suppression and the
audit therefore act on cells, never on tables one at a time. The additive relations
(a total equals the sum of its parts, along every dimension of every table) are what an
attacker can exploit, so they are listed here once for suppression and audit alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .dimensions import Level, TableSpec
from .geography import GeographicUnit
from .tables import REGION_CODE, REGION_NAME, TOTAL_LABEL, Grid

TOTAL = -1
"""Coordinate of a margin: all categories of the dimension."""


class CellKey(NamedTuple):
    """Where a cell sits: answer option, territory, age band, sex (``TOTAL`` = all)."""

    option: int
    territory: int
    age_band: int
    sex: int


@dataclass(frozen=True)
class Territory:
    """A node of the région > département > commune hierarchy."""

    level: Level
    code: str
    label: str
    departement: int
    """Index of the département it belongs to (-1 for the région)."""


Relation = tuple[int, tuple[int, ...]]
"""``cell[parent] == sum(cell[child] for child in children)``."""


@dataclass(frozen=True)
class LinkedTables:
    """The cells of every table of one poll, their values and the relations between them."""

    grid: Grid
    specs: tuple[TableSpec, ...]
    territories: tuple[Territory, ...]
    keys: tuple[CellKey, ...]
    values: np.ndarray
    published: np.ndarray
    """False for cells no table shows, added only so that the audit is exact."""
    relations: tuple[Relation, ...]
    table_cells: dict[str, tuple[int, ...]]
    """Cells of each table, in publication order."""

    @cached_property
    def index(self) -> dict[CellKey, int]:
        """Position of every cell by its coordinates."""
        return {key: i for i, key in enumerate(self.keys)}

    @cached_property
    def relations_of(self) -> list[list[int]]:
        """For every cell, the indices of the relations it takes part in."""
        out: list[list[int]] = [[] for _ in self.keys]
        for r, (parent, children) in enumerate(self.relations):
            out[parent].append(r)
            for child in children:
                out[child].append(r)
        return out

    def labels(self, cell: int) -> tuple[str, str, str, str]:
        """Readable coordinates of a cell: (territory code, age band, sex, answer)."""
        key = self.keys[cell]
        grid = self.grid
        return (
            self.territories[key.territory].code,
            TOTAL_LABEL if key.age_band == TOTAL else grid.age_bands[key.age_band],
            TOTAL_LABEL if key.sex == TOTAL else grid.sexes[key.sex],
            TOTAL_LABEL if key.option == TOTAL else grid.options[key.option],
        )


def build_linked_tables(
    grid: Grid,
    by_departement: np.ndarray,
    specs: Sequence[TableSpec],
    *,
    units: Sequence[GeographicUnit] = (),
    by_unit: np.ndarray | None = None,
    hidden: Sequence[TableSpec] = (),
) -> LinkedTables:
    """Lay out every cell of ``specs``.

    ``by_departement`` is ``[option, age, sex, departement]``; ``by_unit`` is
    ``[option, unit]`` and is needed only by commune-level tables. ``hidden`` tables add
    cells that are not published (for an audit that needs them).
    """
    territories = _territories(grid, units)
    n_departements = len(grid.departements)
    lookup = _ValueLookup(by_departement, by_unit, n_departements)
    keys: dict[CellKey, int] = {}
    published: list[bool] = []
    relations: dict[Relation, None] = {}
    table_cells: dict[str, tuple[int, ...]] = {}
    shapes = _Shapes(grid, territories)
    unpublished = [*_closure(specs), *hidden]
    for spec, visible in [(s, True) for s in specs] + [(s, False) for s in unpublished]:
        cells = shapes.cells(spec)
        for key in cells:
            if key not in keys:
                keys[key] = len(keys)
                published.append(visible)
            elif visible:
                published[keys[key]] = True
        for key in cells:
            for children in shapes.children(spec, key):
                relations[(keys[key], tuple(keys[c] for c in children))] = None
        if visible:
            table_cells[spec.name] = tuple(keys[k] for k in sorted(cells, key=shapes.sort_key))
    ordered = tuple(keys)
    return LinkedTables(
        grid=grid,
        specs=tuple(specs),
        territories=territories,
        keys=ordered,
        values=np.array([lookup(k) for k in ordered], dtype=np.int64),
        published=np.array(published, dtype=bool),
        relations=tuple(relations),
        table_cells=table_cells,
    )


def _territories(grid: Grid, units: Sequence[GeographicUnit]) -> tuple[Territory, ...]:
    region = Territory("region", REGION_CODE, REGION_NAME, -1)
    departements = [
        Territory("departement", code, name, d) for d, (code, name) in enumerate(grid.departements)
    ]
    communes = [Territory("commune", u.code, u.label, u.departement) for u in units]
    return (region, *departements, *communes)


def _closure(specs: Sequence[TableSpec]) -> list[TableSpec]:
    """A hidden answer x département x age x sex table when the published ones form a
    cycle (département-age, département-sex and age-sex crossed, never all three
    together). Without it the tables' cells would allow values that no population of
    respondents could produce, and the audit would overstate the protection."""
    pairs = set()
    for spec in specs:
        dimensions = set(spec.variables) | ({"geo"} if spec.level != "region" else set())
        pairs |= {(a, b) for a in dimensions for b in dimensions if a < b}
    triangle = {("age_band", "geo"), ("geo", "sex"), ("age_band", "sex")}
    together = any(s.level != "region" and len(s.variables) == 2 for s in specs)
    if triangle <= pairs and not together:
        return [TableSpec("__closure__", "departement", ("age_band", "sex"))]
    return []


class _ValueLookup:
    """The count of any cell, margins included, from the two count arrays."""

    def __init__(self, by_departement: np.ndarray, by_unit: np.ndarray | None, n_dep: int):
        cube = np.concatenate([by_departement.sum(axis=-1, keepdims=True), by_departement], -1)
        for axis in range(3):
            cube = np.concatenate([cube, cube.sum(axis=axis, keepdims=True)], axis=axis)
        self.cube = cube
        self.by_unit = (
            None
            if by_unit is None
            else np.concatenate([by_unit, by_unit.sum(axis=0, keepdims=True)], axis=0)
        )
        self.n_dep = n_dep

    def __call__(self, key: CellKey) -> int:
        if key.territory <= self.n_dep:
            return int(self.cube[key.option, key.age_band, key.sex, key.territory])
        assert self.by_unit is not None and key.age_band == key.sex == TOTAL
        return int(self.by_unit[key.option, key.territory - self.n_dep - 1])


class _Shapes:
    """Cells, relations and row order of a table spec."""

    def __init__(self, grid: Grid, territories: tuple[Territory, ...]):
        self.grid = grid
        self.territories = territories
        n_dep = len(grid.departements)
        self.departements = list(range(1, n_dep + 1))
        self.units_of: dict[int, list[int]] = {d: [] for d in self.departements}
        for t, territory in enumerate(territories[n_dep + 1 :], start=n_dep + 1):
            self.units_of[territory.departement + 1].append(t)

    def territories_of(self, level: Level) -> list[int]:
        if level == "region":
            return [0]
        if level == "departement":
            return [0, *self.departements]
        return [0, *self.departements, *[u for d in self.departements for u in self.units_of[d]]]

    def categories(self, spec: TableSpec, variable: str) -> list[int]:
        if variable not in spec.variables:
            return [TOTAL]
        size = len(self.grid.age_bands if variable == "age_band" else self.grid.sexes)
        return [*range(size), TOTAL]

    def cells(self, spec: TableSpec) -> list[CellKey]:
        options = [*range(len(self.grid.options)), TOTAL]
        ages = self.categories(spec, "age_band")
        sexes = self.categories(spec, "sex")
        return [
            CellKey(o, t, a, s)
            for t in self.territories_of(spec.level)
            for a in ages
            for s in sexes
            for o in options
        ]

    def children(self, spec: TableSpec, key: CellKey) -> list[list[CellKey]]:
        """Every way the table splits ``key`` into parts (one list per dimension)."""
        splits = []
        if key.option == TOTAL:
            splits.append([key._replace(option=o) for o in range(len(self.grid.options))])
        if key.age_band == TOTAL and "age_band" in spec.variables:
            splits.append([key._replace(age_band=a) for a in range(len(self.grid.age_bands))])
        if key.sex == TOTAL and "sex" in spec.variables:
            splits.append([key._replace(sex=s) for s in range(len(self.grid.sexes))])
        if key.territory == 0 and spec.level != "region":
            splits.append([key._replace(territory=d) for d in self.departements])
        if spec.level == "commune" and key.territory in self.units_of:
            splits.append([key._replace(territory=u) for u in self.units_of[key.territory]])
        return splits

    def sort_key(self, key: CellKey) -> tuple[int, ...]:
        """Région first, each département followed by its communes; totals last."""
        territory = self.territories[key.territory]
        place = (-1, -1) if territory.level == "region" else (territory.departement, -1)
        if territory.level == "commune":
            place = (territory.departement, key.territory)
        big = 1 << 20
        return (
            *place,
            big if key.age_band == TOTAL else key.age_band,
            big if key.sex == TOTAL else key.sex,
            big if key.option == TOTAL else key.option,
        )
