"""The attacker: what anyone can compute from the published rows alone.

Written apart from the anonymisation engine, on purpose: it reads the published records
(DataStore rows or the JSON resource), rebuilds every additive relation between them
(answer totals, age and sex margins, départements summing to the région, communes and
pools summing to their département) and adds the cells nobody publishes but that an
attacker may posit (answer x département x age x sex), then asks scipy's HiGHS solvers
what each secret cell can be: ``linprog`` for its feasible interval, ``milp`` for an
integer reconstruction of every table at once.

The attacker is given more than the public knows: which secret cells are non-zero (the
strongest attacker consistent with "zeros are published"). The true values come from
the synthetic answers, to judge what the attack learnt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components

from ckanext.consultation.synthetic_answers import NOT_PROVIDED, Respondent

TOTAL = "Ensemble"
REGION = "44"
Key = tuple[str, str, str, str]
"""(territory code, age band, sex, answer), "Ensemble" for a margin."""
_EPS = 1e-6


@dataclass
class PublishedCells:
    """The cells of one question's published tables."""

    values: dict[Key, int | None]
    """Every published cell; None when it is secret."""
    options: list[str]
    ages: list[str]
    sexes: list[str]
    departements: list[str]
    units: dict[str, list[str]]
    """Département code -> the communes and the pool published under it, in order."""

    @property
    def secret(self) -> list[Key]:
        return [k for k, v in self.values.items() if v is None]


def read_cells(rows: Iterable[Mapping]) -> PublishedCells:
    """Cells of published rows (any table, one question); a cell shown twice must agree."""
    values: dict[Key, int | None] = {}
    options: list[str] = []
    ages: list[str] = []
    sexes: list[str] = []
    departements: list[str] = []
    units: dict[str, list[str]] = {}
    for row in rows:
        age = str(row.get("tranche_age") or TOTAL)
        sex = str(row.get("sexe") or TOTAL)
        answer = str(row["reponse"])
        territory = str(row["code_territoire"])
        for seen, value in ((options, answer), (ages, age), (sexes, sex)):
            if value != TOTAL and value not in seen:
                seen.append(value)
        if row["niveau"] == "département" and territory not in departements:
            departements.append(territory)
        if row["niveau"] == "commune":
            codes = units.setdefault(str(row["code_departement"]), [])
            if territory not in codes:
                codes.append(territory)
        key = (territory, age, sex, answer)
        count = row["effectif"]
        count = None if count in (None, "") else int(count)
        assert values.get(key, count) == count, f"{key} differs between tables"
        values[key] = count
    return PublishedCells(values, options, ages, sexes, departements, units)


@dataclass
class LinearSystem:
    """``x[parent] = sum(x[children])`` over every cell, published or not."""

    keys: list[Key]
    index: dict[Key, int]
    relations: list[tuple[int, tuple[int, ...]]]
    known: np.ndarray
    """Published values; NaN for the unknown cells (secret or never published)."""
    lower: np.ndarray
    targets: list[int]
    """The secret cells."""
    truth: np.ndarray


def linear_system(cells: PublishedCells, answers: Sequence[Respondent]) -> LinearSystem:
    """The attacker's system for one question, with the truth from ``answers``."""
    options = [*cells.options, TOTAL]
    ages = [*cells.ages, TOTAL]
    sexes = [*cells.sexes, TOTAL]
    keys: list[Key] = [(t, a, s, o) for t in [REGION, *cells.departements]
                       for a in ages for s in sexes for o in options]
    keys += [(u, TOTAL, TOTAL, o) for d in cells.departements for u in cells.units.get(d, [])
             for o in options]
    # The pool of the "non renseigné" département is that département: one cell each.
    keys = list(dict.fromkeys(keys))
    missing = set(cells.values) - set(keys)
    assert not missing, f"published cells outside the attacker's cube: {sorted(missing)[:3]}"
    index = {k: i for i, k in enumerate(keys)}
    relations = []
    for t, a, s, o in keys:
        splits = []
        if o == TOTAL:
            splits.append([(t, a, s, x) for x in cells.options])
        if a == TOTAL:
            splits.append([(t, x, s, o) for x in cells.ages])
        if s == TOTAL:
            splits.append([(t, a, x, o) for x in cells.sexes])
        if t == REGION:
            splits.append([(d, a, s, o) for d in cells.departements])
        if t in cells.units and a == s == TOTAL:
            splits.append([(u, a, s, o) for u in cells.units[t]])
        for split in splits:
            if split and all(k in index for k in split):
                relations.append((index[(t, a, s, o)], tuple(index[k] for k in split)))
    known = np.array([np.nan if cells.values.get(k) is None else float(cells.values[k])
                      for k in keys])
    truth = true_counts(keys, cells, answers)
    targets = [index[k] for k in cells.secret]
    lower = np.zeros(len(keys))
    lower[targets] = np.where(truth[targets] >= 1, 1.0, 0.0)
    return LinearSystem(keys, index, relations, known, lower, targets, truth)


def true_counts(keys: Sequence[Key], cells: PublishedCells,
                answers: Sequence[Respondent]) -> np.ndarray:
    """The true count of every cell, straight from the answers."""
    shown = {u for codes in cells.units.values() for u in codes}
    counts: dict[Key, int] = {}
    for a in answers:
        places = [REGION, a.departement]
        if a.commune in shown:
            places.append(a.commune)
        elif a.departement == NOT_PROVIDED:
            places.append(NOT_PROVIDED)
        else:
            places.append(f"{a.departement}-autres")
        for t in dict.fromkeys(places):
            for age in (a.age_band, TOTAL):
                for sex in (a.sex, TOTAL):
                    for option in (a.option, TOTAL):
                        counts[(t, age, sex, option)] = counts.get((t, age, sex, option), 0) + 1
    return np.array([float(counts.get(k, 0)) for k in keys])


def combined_system(first: LinearSystem, second: LinearSystem) -> LinearSystem:
    """What an attacker holding two releases of the same poll knows: both systems, and
    that no count decreased in between, down to the cells nobody publishes
    (``second = first + slack``, slack >= 0, for every cell)."""
    assert first.keys == second.keys, "the two releases must have the same layout"
    n = len(first.keys)
    keys: list[Key] = [(f"1:{t}", a, s, o) for t, a, s, o in first.keys]
    keys += [(f"2:{t}", a, s, o) for t, a, s, o in second.keys]
    keys += [(f"+:{t}", a, s, o) for t, a, s, o in first.keys]
    relations = [*first.relations,
                 *((p + n, tuple(c + n for c in cs)) for p, cs in second.relations),
                 *((i + n, (i, i + 2 * n)) for i in range(n))]
    return LinearSystem(
        keys=keys,
        index={k: i for i, k in enumerate(keys)},
        relations=relations,
        known=np.concatenate([first.known, second.known, np.full(n, np.nan)]),
        lower=np.concatenate([first.lower, second.lower, np.zeros(n)]),
        targets=[*first.targets, *(c + n for c in second.targets)],
        truth=np.concatenate([first.truth, second.truth, second.truth - first.truth]),
    )


@dataclass
class _Component:
    cells: np.ndarray
    """Positions (in the system) of the unknown cells it holds."""
    a_eq: csr_array
    b_eq: np.ndarray
    lower: np.ndarray
    position: dict[int, int] = field(default_factory=dict)


def components(system: LinearSystem) -> list[_Component]:
    """The unknown cells, split into independent linear systems (published values moved
    to the right-hand side)."""
    unknown = np.flatnonzero(np.isnan(system.known))
    column = {int(c): i for i, c in enumerate(unknown)}
    rows, cols, data, rhs = [], [], [], []
    for parent, children in system.relations:
        terms = [(parent, 1.0)] + [(c, -1.0) for c in children]
        b = -sum(coef * system.known[c] for c, coef in terms if c not in column)
        unknown_terms = [(column[c], coef) for c, coef in terms if c in column]
        if not unknown_terms:
            assert abs(b) < _EPS, "the published tables contradict each other"
            continue
        for col, coef in unknown_terms:
            rows.append(len(rhs))
            cols.append(col)
            data.append(coef)
        rhs.append(b)
    matrix = csr_array((data, (rows, cols)), shape=(len(rhs), len(unknown)))
    # Cells sharing an equation belong together.
    incidence = coo_array(matrix)
    link = csr_array((np.ones(incidence.nnz), (incidence.col, incidence.row)),
                     shape=(len(unknown), len(rhs)))
    _, labels = connected_components(link @ link.T, directed=False)
    out = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        sub = matrix[:, members]
        used = np.flatnonzero(np.abs(sub).sum(axis=1) > 0)
        component = _Component(unknown[members], sub[used], np.array(rhs)[used],
                               system.lower[unknown[members]])
        component.position = {int(c): i for i, c in enumerate(component.cells)}
        out.append(component)
    return out


def _bounds(component: _Component) -> list[tuple[float, None]]:
    return [(float(low), None) for low in component.lower]


def required_widths(system: LinearSystem, k: int) -> dict[int, float]:
    """What the attack must not beat for each secret cell: a count of 1 to k-1 keeps k
    possible values (width k-1), any other non-zero count is not pinned (width 1)."""
    return {c: float(k - 1 if 1 <= system.truth[c] < k else 1)
            for c in system.targets if system.truth[c] > 0}


def feasible_intervals(system: LinearSystem, required: Mapping[int, float] | None = None,
                       probes: int = 8) -> dict[int, tuple[float, float]]:
    """The range each secret cell can take given everything published, by linear
    programming (min and max of the cell).

    With ``required`` (cell -> width), a cell whose observed range already reaches its
    width is not optimised further: its range is then a proven lower bound of the true
    one (two feasible values), which is all the verdict needs.
    """
    out: dict[int, tuple[float, float]] = {}
    targets = set(system.targets if required is None else required)
    rng = np.random.default_rng(0)
    for component in components(system):
        mine = [int(c) for c in component.cells if c in targets]
        if mine:
            out.update(_component_intervals(component, mine, rng, probes, required or {}))
    return out


def _solve(component: _Component, objective: np.ndarray) -> np.ndarray | None:
    """An optimal solution, or None when the objective is unbounded."""
    result = linprog(objective, A_eq=component.a_eq, b_eq=component.b_eq,
                     bounds=_bounds(component), method="highs")
    if result.status == 3:
        return None
    assert result.status == 0, result.message
    return result.x


def _component_intervals(component: _Component, targets: list[int],
                         rng: np.random.Generator, probes: int, required: Mapping[int, float]
                         ) -> dict[int, tuple[float, float]]:
    """Min and max of each target. A few random objectives first push many cells to
    both ends at once; the others get their own two LPs."""
    positions = np.array([component.position[c] for c in targets])
    low = np.full(len(targets), np.inf)
    high = np.full(len(targets), -np.inf)

    def observe(x: np.ndarray | None) -> None:
        if x is not None:
            np.minimum(low, x[positions], out=low)
            np.maximum(high, x[positions], out=high)

    for _ in range(probes if len(targets) > probes else 0):
        direction = rng.standard_normal(len(component.cells))
        observe(_solve(component, direction))
        observe(_solve(component, -direction))
    for i, position in enumerate(positions):
        if high[i] - low[i] >= required.get(targets[i], np.inf) - _EPS:
            continue
        objective = np.zeros(len(component.cells))
        objective[position] = 1.0
        observe(_solve(component, objective))
        highest = _solve(component, -objective)
        observe(highest)
        if highest is None:
            high[i] = np.inf
    return {c: (float(low[i]), float(high[i])) for i, c in enumerate(targets)}


def minimum(system: LinearSystem, terms: Mapping[int, float]) -> float:
    """The least value of ``sum(coefficient * x[cell])`` given everything published
    (-inf if nothing bounds it): published cells count as constants, the unknown ones
    are optimised together, component by component."""
    total = sum(coef * system.known[c] for c, coef in terms.items()
                if not np.isnan(system.known[c]))
    for component in components(system):
        objective = np.zeros(len(component.cells))
        for cell, coef in terms.items():
            if cell in component.position:
                objective[component.position[cell]] += coef
        if not objective.any():
            continue
        x = _solve(component, objective)
        if x is None:
            return -np.inf
        total += float(objective @ x)
    return float(total)


def integer_reconstruction(system: LinearSystem) -> np.ndarray:
    """One integer completion of every table (what an attacker would take for the
    truth): ``milp`` on the whole system, all cells as close as possible to their lower
    bounds' feasible region (zero objective)."""
    values = system.known.copy()
    for component in components(system):
        n = len(component.cells)
        result = milp(np.zeros(n), integrality=np.ones(n),
                      bounds=Bounds(component.lower, np.full(n, np.inf)),
                      constraints=LinearConstraint(component.a_eq, component.b_eq,
                                                   component.b_eq))
        assert result.status == 0, result.message
        values[component.cells] = np.round(result.x)
    return values


def pinned_cells(system: LinearSystem) -> set[int]:
    """Secret cells whose true value is the only integer value consistent with all the
    published tables: for each one not yet shown ambiguous, ``milp`` looks for an integer
    completion where it differs from the truth (above, then below)."""
    pinned = set()
    targets = set(system.targets)
    for component in components(system):
        n = len(component.cells)
        truth = system.truth[component.cells]
        unresolved = [c for c in component.cells if c in targets]
        while unresolved:
            cell = unresolved[0]
            i = component.position[cell]
            completion = None
            for low, high in ((truth[i] + 1, np.inf), (-np.inf, truth[i] - 1)):
                lower = component.lower.copy()
                upper = np.full(n, np.inf)
                lower[i], upper[i] = max(lower[i], low), high
                if lower[i] > upper[i]:
                    continue
                result = milp(np.zeros(n), integrality=np.ones(n), bounds=Bounds(lower, upper),
                              constraints=LinearConstraint(component.a_eq, component.b_eq,
                                                           component.b_eq))
                if result.status == 0:
                    completion = np.round(result.x)
                    break
            if completion is None:
                pinned.add(cell)
                unresolved.pop(0)
                continue
            unresolved = [c for c in unresolved
                          if completion[component.position[c]] == truth[component.position[c]]]
    return pinned
