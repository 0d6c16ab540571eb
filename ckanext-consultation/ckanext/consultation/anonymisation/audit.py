"""Rule 2's audit: how precisely could an attacker recompute each suppressed cell?

The attacker knows every published cell, every additive relation between cells (totals
and margins of all the poll's linked tables), that counts are non-negative, and that a
suppressed non-zero cell is at least 1 (zeros are published, so a suppressed cell is
presumed non-zero; the audit grants the attacker that knowledge wherever it is true).
For each suppressed cell the feasible interval [min, max] of its value under these
constraints is computed by linear programming (HiGHS); the cell is protected when the
interval is wide enough (see ``suppression.protection_level``).

Unknown cells only interact through relations, so the problem splits into independent
components, each solved on its own; cells that published zeros force to zero are
settled first. ``pinned_cells`` runs the same attack with integer programming.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

_TOLERANCE = 1e-6
_PROBES = 16


@dataclass(frozen=True)
class Knowledge:
    """What an attacker knows about a set of cells."""

    values: np.ndarray
    """Published values; NaN where a cell is not published."""
    lower_bounds: np.ndarray
    """The least value the attacker can assume for each unpublished cell."""
    relations: Sequence[tuple[int, tuple[int, ...]]]
    """``x[parent] == sum(x[children])``."""
    orderings: Sequence[tuple[int, int]] = ()
    """``x[a] <= x[b]`` (e.g. an interim count never exceeds the final one)."""

    @property
    def unknown(self) -> np.ndarray:
        return np.isnan(self.values)


@dataclass(frozen=True)
class Interval:
    """Feasible values of a cell. When ``exact`` is False the bounds are not both
    optimal: for a passing cell they are two values proven feasible (the true interval
    is at least as wide), for a failing one its least possible value (the true interval
    is at most as wide)."""

    lower: float
    upper: float
    exact: bool = True

    @property
    def width(self) -> float:
        return self.upper - self.lower


@dataclass(frozen=True)
class AuditEntry:
    """The audit of one secret cell."""

    cell: Hashable
    interval: Interval
    required: float
    """The width (max - min) the interval must reach."""
    limiting_relations: tuple[int, ...] = ()
    """For a failing cell: the relations that bound its interval (non-zero duals)."""

    @property
    def passes(self) -> bool:
        return self.interval.width >= self.required - _TOLERANCE


@dataclass(frozen=True)
class AuditReport:
    """The audit of every suppressed cell of a release."""

    entries: tuple[AuditEntry, ...]

    @property
    def passes(self) -> bool:
        return all(entry.passes for entry in self.entries)

    @property
    def failures(self) -> tuple[AuditEntry, ...]:
        return tuple(entry for entry in self.entries if not entry.passes)


@dataclass(frozen=True)
class _Row:
    """One constraint on unknown cells: ``sum(coef * x) == rhs`` (or ``<= rhs``)."""

    equality: bool
    terms: tuple[tuple[int, float], ...]
    rhs: float
    origin: int
    """Index of the relation (or ordering) it comes from."""


@dataclass
class _Component:
    """Unknown cells linked by relations, with the linear system restricted to them."""

    cells: tuple[int, ...]
    position: dict[int, int]
    lower: np.ndarray
    a_eq: csr_array | None
    b_eq: np.ndarray
    eq_origins: tuple[int, ...]
    a_ub: csr_array | None
    b_ub: np.ndarray


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray
    binding: tuple[int, ...]
    """Relations whose dual value is non-zero: loosening them would move the optimum."""


def settle_zeros(knowledge: Knowledge) -> Knowledge:
    """Mark as known the cells that published zeros force to zero: the parts of a zero
    total, a total whose parts are all zero, a cell ordered below a zero. The attacker
    sees them at once; removing them first also keeps the linear programs small."""
    values = knowledge.values.copy()
    relations = knowledge.relations
    as_total: dict[int, list[int]] = {}
    as_part: dict[int, list[int]] = {}
    for r, (total, parts) in enumerate(relations):
        as_total.setdefault(total, []).append(r)
        for part in parts:
            as_part.setdefault(part, []).append(r)
    below: dict[int, list[int]] = {}
    for low, high in knowledge.orderings:
        below.setdefault(high, []).append(low)
    queue = [int(c) for c in np.flatnonzero(values == 0)]
    while queue:
        cell = queue.pop()
        forced = list(below.get(cell, ()))
        for r in as_total.get(cell, ()):  # the parts of a zero total
            forced.extend(relations[r][1])
        for r in as_part.get(cell, ()):  # a total whose parts are all zero
            total, parts = relations[r]
            if all(values[p] == 0 for p in parts):
                forced.append(total)
        for other in forced:
            if np.isnan(values[other]):
                values[other] = 0.0
                queue.append(other)
    if np.array_equal(values, knowledge.values, equal_nan=True):
        return knowledge
    return Knowledge(values, knowledge.lower_bounds, knowledge.relations, knowledge.orderings)


def components(knowledge: Knowledge) -> list[_Component]:
    """Split the unknown cells into independent linear systems."""
    knowledge = settle_zeros(knowledge)
    parent = {int(c): int(c) for c in np.flatnonzero(knowledge.unknown)}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    rows = [
        _row(True, [(total, 1.0)] + [(p, -1.0) for p in parts], i, knowledge)
        for i, (total, parts) in enumerate(knowledge.relations)
    ]
    rows += [
        _row(False, [(low, 1.0), (high, -1.0)], i, knowledge)
        for i, (low, high) in enumerate(knowledge.orderings)
    ]
    rows = [row for row in rows if row.terms]
    for row in rows:
        first = row.terms[0][0]
        for cell, _ in row.terms[1:]:
            a, b = find(first), find(cell)
            if a != b:
                parent[max(a, b)] = min(a, b)
    cells_by_root: dict[int, list[int]] = {}
    for cell in parent:
        cells_by_root.setdefault(find(cell), []).append(cell)
    rows_by_root: dict[int, list[_Row]] = {}
    for row in rows:
        rows_by_root.setdefault(find(row.terms[0][0]), []).append(row)
    return [
        _assemble(tuple(sorted(cells)), rows_by_root.get(root, []), knowledge)
        for root, cells in sorted(cells_by_root.items())
    ]


def _row(equality: bool, terms: list[tuple[int, float]], origin: int, knowledge: Knowledge) -> _Row:
    """Move published cells to the right-hand side."""
    unknown_terms, rhs = [], 0.0
    for cell, coefficient in terms:
        value = knowledge.values[cell]
        if np.isnan(value):
            unknown_terms.append((cell, coefficient))
        else:
            rhs -= coefficient * value
    return _Row(equality, tuple(unknown_terms), rhs, origin)


def _assemble(cells: tuple[int, ...], rows: list[_Row], knowledge: Knowledge) -> _Component:
    position = {c: i for i, c in enumerate(cells)}

    def matrix(selected: list[_Row]) -> csr_array | None:
        if not selected:
            return None
        data, row_index, col_index = [], [], []
        for i, row in enumerate(selected):
            for cell, coefficient in row.terms:
                data.append(coefficient)
                row_index.append(i)
                col_index.append(position[cell])
        return csr_array((data, (row_index, col_index)), shape=(len(selected), len(cells)))

    equalities = [r for r in rows if r.equality]
    inequalities = [r for r in rows if not r.equality]
    return _Component(
        cells=cells,
        position=position,
        lower=knowledge.lower_bounds[list(cells)].astype(float),
        a_eq=matrix(equalities),
        b_eq=np.array([r.rhs for r in equalities]),
        eq_origins=tuple(r.origin for r in equalities),
        a_ub=matrix(inequalities),
        b_ub=np.array([r.rhs for r in inequalities]),
    )


def _optimise(component: _Component, cell: int, sign: float) -> tuple[float, _Solution | None]:
    """Minimise (sign=1) or maximise (sign=-1) one cell; the optimum and its solution."""
    objective = np.zeros(len(component.cells))
    objective[component.position[cell]] = sign
    solution = _solve(component, objective)
    if solution is None:  # unbounded: nothing caps the cell
        return sign * -np.inf, None
    return float(solution.x[component.position[cell]]), solution


def _solve(component: _Component, objective: np.ndarray) -> _Solution | None:
    """An optimal solution, or None when the objective is unbounded."""
    result = linprog(
        objective,
        A_ub=component.a_ub,
        b_ub=component.b_ub if component.a_ub is not None else None,
        A_eq=component.a_eq,
        b_eq=component.b_eq if component.a_eq is not None else None,
        bounds=[(low, None) for low in component.lower],
        method="highs",
    )
    if result.status == 3:
        return None
    if result.status != 0:
        raise RuntimeError(f"audit LP failed: {result.message}")
    binding: tuple[int, ...] = ()
    if component.a_eq is not None:
        duals = result.eqlin.marginals
        binding = tuple(component.eq_origins[i] for i in np.flatnonzero(np.abs(duals) > 1e-9))
    return _Solution(result.x, binding)


def feasible_intervals(
    knowledge: Knowledge,
    targets: Iterable[int],
    *,
    required: Mapping[int, float] | None = None,
) -> dict[int, tuple[Interval, tuple[int, ...]]]:
    """Feasible interval of each target cell, with the relations limiting it.

    Exact by default. Given the width ``required`` of each target, a cell stops as soon
    as feasible solutions already show an interval that wide (``exact=False``); a
    failing cell always gets its exact interval, so pass or fail never depends on which
    optimum the solver happened to return.
    """
    knowledge = settle_zeros(knowledge)
    wanted = sorted(set(targets))
    out: dict[int, tuple[Interval, tuple[int, ...]]] = {}
    for cell in wanted:
        if not knowledge.unknown[cell]:
            value = float(knowledge.values[cell])
            out[cell] = (Interval(value, value), ())
    pending = {c for c in wanted if c not in out}
    for component in components(knowledge):
        mine = [c for c in component.cells if c in pending]
        if mine:
            out.update(_component_intervals(component, mine, required))
    return out


def _component_intervals(
    component: _Component, targets: list[int], required: Mapping[int, float] | None
) -> dict[int, tuple[Interval, tuple[int, ...]]]:
    seen_low = dict.fromkeys(targets, np.inf)
    seen_high = dict.fromkeys(targets, -np.inf)
    exact: dict[int, tuple[Interval, tuple[int, ...]]] = {}

    def observe(solution: _Solution | None) -> None:
        if solution is None:
            return
        for c in targets:
            value = solution.x[component.position[c]]
            seen_low[c] = min(seen_low[c], value)
            seen_high[c] = max(seen_high[c], value)

    def certified(c: int) -> bool:
        return required is not None and seen_high[c] - seen_low[c] >= required[c] - _TOLERANCE

    if required is not None and len(targets) > _PROBES:
        # A few random directions push most cells to both ends of their interval:
        # those are then certified without an LP of their own.
        rng = np.random.default_rng(0)
        for _ in range(_PROBES // 2):
            direction = rng.standard_normal(len(component.cells))
            observe(_solve(component, direction))
            observe(_solve(component, -direction))
    for c in targets:
        if certified(c):
            continue
        upper, high = _optimise(component, c, -1.0)
        observe(high)
        if certified(c):
            continue
        floor = component.lower[component.position[c]]
        if required is not None and upper - floor < required[c] - _TOLERANCE:
            # Fails whatever its minimum: report the bounds known without another LP.
            exact[c] = (Interval(floor, upper, exact=False), high.binding if high else ())
            continue
        lower, low = _optimise(component, c, 1.0)
        observe(low)
        limits = sorted({*(high.binding if high else ()), *(low.binding if low else ())})
        exact[c] = (Interval(lower, upper), tuple(limits))
    return {
        c: exact.get(c) or (Interval(float(seen_low[c]), float(seen_high[c]), exact=False), ())
        for c in targets
    }


def audit(
    knowledge: Knowledge, required: Mapping[int, float], *, exact: bool = False
) -> AuditReport:
    """Check that each cell's feasible interval is at least its ``required`` width."""
    intervals = feasible_intervals(knowledge, required, required=None if exact else required)
    entries = tuple(
        AuditEntry(c, interval, required[c], limits)
        for c, (interval, limits) in sorted(intervals.items())
    )
    return AuditReport(entries)


def pinned_cells(knowledge: Knowledge, truth: np.ndarray, targets: Iterable[int]) -> set[int]:
    """The reconstruction attack by integer programming: the targets whose true value is
    the only integer value consistent with everything published.

    For each target not yet shown to be ambiguous, ``milp`` looks for an integer
    completion of all the tables where the target differs from its true value (above,
    then below). Each completion found also clears every other target it moves.
    """
    knowledge = settle_zeros(knowledge)
    wanted = set(targets)
    pinned = {c for c in wanted if not knowledge.unknown[c]}
    for component in components(knowledge):
        unresolved = sorted(c for c in component.cells if c in wanted)
        while unresolved:
            cell = unresolved[0]
            completion = _integer_completion(component, cell, truth[cell] + 1, np.inf)
            if completion is None:
                completion = _integer_completion(component, cell, -np.inf, truth[cell] - 1)
            if completion is None:
                pinned.add(cell)
                unresolved.pop(0)
                continue
            unresolved = [
                c for c in unresolved if abs(completion[component.position[c]] - truth[c]) < 0.5
            ]
    return pinned


def _integer_completion(
    component: _Component, cell: int, low: float, high: float
) -> np.ndarray | None:
    """An integer solution with ``low <= x[cell] <= high``, or None if there is none."""
    n = len(component.cells)
    lower = component.lower.copy()
    upper = np.full(n, np.inf)
    i = component.position[cell]
    lower[i], upper[i] = max(lower[i], low), high
    if lower[i] > upper[i]:
        return None
    # The tables' constraint matrices are close to network matrices: an LP vertex is
    # often integral already, and then no branch and bound is needed. The target is
    # pushed away from the truth, within a finite box so the LP has an optimum.
    objective = np.zeros(n)
    objective[i] = -1.0 if np.isinf(high) else 1.0
    box = upper.copy()
    box[i] = min(high, lower[i] + 1_000)
    relaxed = linprog(
        objective,
        A_ub=component.a_ub,
        b_ub=component.b_ub if component.a_ub is not None else None,
        A_eq=component.a_eq,
        b_eq=component.b_eq if component.a_eq is not None else None,
        bounds=[(lo, None if np.isinf(up) else up) for lo, up in zip(lower, box, strict=True)],
        method="highs",
    )
    if relaxed.status == 2:  # infeasible even without integrality
        return None
    if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
        return np.round(relaxed.x)
    constraints = []
    if component.a_eq is not None:
        constraints.append(LinearConstraint(component.a_eq, component.b_eq, component.b_eq))
    if component.a_ub is not None:
        constraints.append(LinearConstraint(component.a_ub, -np.inf, component.b_ub))
    result = milp(
        np.zeros(n),
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(lower, box),
        options={"time_limit": 60},
    )
    if result.status == 2:  # infeasible
        return None
    if result.x is None:
        raise RuntimeError(f"reconstruction MILP failed: {result.message}")
    return result.x
