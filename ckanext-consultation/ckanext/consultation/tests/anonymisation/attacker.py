"""The attacker's side, rebuilt from the published rows only.

It does not reuse the engine's cell layout: it reads the released tables like a user
would, rebuilds every additive relation between the rows (plus the answer x département
x age x sex cells nobody publishes, which an attacker may posit), and hands the linear
system to the generic LP / integer-programming solvers. The true values come straight
from the count array, to check what the attacker can and cannot learn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ckanext.consultation.anonymisation.audit import Knowledge
from ckanext.consultation.anonymisation.release import ProtectedRelease
from ckanext.consultation.anonymisation.tables import (
    REGION_CODE,
    TOTAL_LABEL,
    PollCounts,
)

Key = tuple[str, str, str, str]
"""(territory code, age band, sex, answer), "Ensemble" for a margin."""


def published_cells(release: ProtectedRelease) -> dict[Key, int | None]:
    """Every cell of every table; a cell shown in two tables must agree."""
    cells: dict[Key, int | None] = {}
    for table in release.tables:
        for row in table.records():
            key = (
                str(row["code_territoire"]),
                str(row.get("tranche_age", TOTAL_LABEL)),
                str(row.get("sexe", TOTAL_LABEL)),
                str(row["reponse"]),
            )
            value = row["effectif"]
            assert cells.get(key, value) == value, f"{key} differs between tables"
            cells[key] = value  # type: ignore[assignment]
    return cells


def communes_of(release: ProtectedRelease) -> dict[str, list[str]]:
    """Published communes and pools of each département, from the commune table."""
    out: dict[str, list[str]] = {}
    for table in release.tables:
        if "code_departement" in table.columns:
            for row in table.records():
                if row["niveau"] == "commune":
                    units = out.setdefault(str(row["code_departement"]), [])
                    if row["code_territoire"] not in units:
                        units.append(str(row["code_territoire"]))
    return out


@dataclass(frozen=True)
class AttackerView:
    keys: list[Key]
    knowledge: Knowledge
    truth: np.ndarray
    secret: list[int]
    """Positions of the published-as-secret cells."""

    def position(self, key: Key) -> int:
        return self.keys.index(key)


def attacker_view(release: ProtectedRelease, counts: PollCounts) -> AttackerView:
    """The linear system an attacker can write down from ``release`` alone; the true
    values come from ``counts``. The attacker is told which secret cells are non-zero
    (the strongest attacker consistent with "zeros are published")."""
    grid = counts.grid
    cells = published_cells(release)
    units = communes_of(release)
    options = [*grid.options, TOTAL_LABEL]
    ages = [*grid.age_bands, TOTAL_LABEL]
    sexes = [*grid.sexes, TOTAL_LABEL]
    territories = [REGION_CODE, *grid.departement_codes]
    keys: list[Key] = [
        (t, a, s, o) for t in territories for a in ages for s in sexes for o in options
    ]
    keys += [(u, TOTAL_LABEL, TOTAL_LABEL, o) for d in units for u in units[d] for o in options]
    index = {k: i for i, k in enumerate(keys)}
    relations: list[tuple[int, tuple[int, ...]]] = []
    for t, a, s, o in keys:
        parent = index[(t, a, s, o)]
        splits = []
        if o == TOTAL_LABEL:
            splits.append([(t, a, s, x) for x in grid.options])
        if a == TOTAL_LABEL:
            splits.append([(t, x, s, o) for x in grid.age_bands])
        if s == TOTAL_LABEL:
            splits.append([(t, a, x, o) for x in grid.sexes])
        if t == REGION_CODE:
            splits.append([(d, a, s, o) for d in grid.departement_codes])
        if t in units and a == s == TOTAL_LABEL:
            splits.append([(u, a, s, o) for u in units[t]])
        for split in splits:
            if all(k in index for k in split):
                relations.append((parent, tuple(index[k] for k in split)))
    truth = np.array([true_value(counts, k, units) for k in keys], dtype=float)
    values = np.array(
        [np.nan if cells.get(k) is None else float(cells[k]) for k in keys]  # type: ignore[arg-type]
    )
    secret = [i for i, k in enumerate(keys) if k in cells and cells[k] is None]
    # Shown as secret and non-zero: at least 1. Cells no table shows: at least 0.
    lower = np.zeros(len(keys))
    lower[secret] = np.where(truth[secret] >= 1, 1.0, 0.0)
    return AttackerView(keys, Knowledge(values, lower, relations), truth, secret)


def true_value(counts: PollCounts, key: Key, units: dict[str, list[str]]) -> int:
    """The count of a cell, straight from the answer counts."""
    grid = counts.grid
    territory, age, sex, option = key
    array = counts.array
    if option != TOTAL_LABEL:
        array = array[[grid.options.index(option)]]
    if age != TOTAL_LABEL:
        array = array[:, [grid.age_bands.index(age)]]
    if sex != TOTAL_LABEL:
        array = array[:, :, [grid.sexes.index(sex)]]
    return int(array[..., _locations(counts, territory, units)].sum())


def _locations(counts: PollCounts, territory: str, units: dict[str, list[str]]) -> list[int]:
    grid = counts.grid
    if territory == REGION_CODE:
        return list(range(grid.location_count))
    if territory in grid.departement_codes:
        d = grid.departement_codes.index(territory)
        return [int(i) for i in np.flatnonzero(grid.location_departement == d)]
    for departement, codes in units.items():
        if territory in codes:
            d = grid.departement_codes.index(departement)
            in_departement = np.flatnonzero(grid.location_departement == d)
            shown = {c for c in codes if not _is_pool(c)}
            if not _is_pool(territory):
                return [i for i, c in enumerate(grid.communes) if c.code == territory]
            return [
                int(i)
                for i in in_departement
                if i >= len(grid.communes) or grid.communes[i].code not in shown
            ]
    raise KeyError(territory)


def _is_pool(code: str) -> bool:
    return code.endswith("-autres") or code == "non renseigné"


def homogeneous_cells(view: AttackerView, max_group: int, share: float) -> set[int]:
    """Non-zero answer cells of small groups that answered nearly unanimously."""
    answers: dict[tuple[str, str, str], list[int]] = {}
    totals: dict[tuple[str, str, str], int] = {}
    for i, (t, a, s, o) in enumerate(view.keys):
        if o == TOTAL_LABEL:
            totals[(t, a, s)] = i
        else:
            answers.setdefault((t, a, s), []).append(i)
    out = set()
    for group, total in totals.items():
        n = view.truth[total]
        if 0 < n < max_group and max(view.truth[answers[group]]) >= share * n - 1e-9:
            out |= {j for j in answers[group] if view.truth[j] > 0}
    return out


def required_widths(view: AttackerView, k: int, groups: Iterable[int]) -> dict[int, float]:
    """What each secret cell must keep: k possible values for a small count or a
    homogeneous group's answer, not being pinned for any other non-zero cell."""
    sensitive = set(groups)
    out = {}
    for i in view.secret:
        value = view.truth[i]
        if value == 0:
            continue
        out[i] = float(k - 1) if value < k or i in sensitive else 1.0
    return out


def combined_view(first: AttackerView, second: AttackerView) -> AttackerView:
    """An attacker holding two releases of the same poll, with the same cells, who knows
    that counts only grew in between (cell i of the first <= cell i of the second)."""
    assert first.keys == second.keys
    n = len(first.keys)
    shifted = [(p + n, tuple(c + n for c in cs)) for p, cs in second.knowledge.relations]
    knowledge = Knowledge(
        values=np.concatenate([first.knowledge.values, second.knowledge.values]),
        lower_bounds=np.concatenate([first.knowledge.lower_bounds, second.knowledge.lower_bounds]),
        relations=[*first.knowledge.relations, *shifted],
        orderings=[(i, i + n) for i in range(n)],
    )
    return AttackerView(
        keys=first.keys + second.keys,
        knowledge=knowledge,
        truth=np.concatenate([first.truth, second.truth]),
        secret=first.secret + [c + n for c in second.secret],
    )
