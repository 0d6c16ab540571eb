"""Optional differential-privacy mode: noisy counts on the fixed public grid (OpenDP).

Three histograms are measured, each with discrete Laplace noise (pure epsilon-DP,
OpenDP's ``make_laplace`` on integer vectors): answers overall, answers by
département, and answers by département x age band x sex. One respondent is one row of
one question, so adding or removing them changes one cell of each histogram by 1 (L1
sensitivity 1), and the poll's epsilon is the sum of the three (sequential composition).
Every cell of the public grid is measured, empty ones included, so which categories
exist reveals nothing.

The noise is drawn once: ``draw_noisy_counts`` returns the noisy measurements for the
caller to store (and to charge to the ``BudgetLedger`` first). Everything after that is
post-processing of the stored values, free of budget and deterministic, so re-exports
are byte-identical: top-down, each level is projected onto non-negative values summing
to its parent's total, then rounded by largest remainder.

Communes are not published in this mode: rule 4's pooling depends on the true counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import opendp.prelude as dp

from .policy import Policy
from .tables import Grid, PollCounts

MECHANISM = "discrete_laplace"
LEVELS = ("ensemble", "departement", "detail")
"""Measured histograms: answer; answer x département; answer x département x age x sex."""


@dataclass(frozen=True)
class NoisyCounts:
    """The noisy measurements of one poll question: drawn once, stored by the caller."""

    categories: dict[str, tuple[str, ...]]
    """The grid they were measured on: options, departements, age_bands, sexes."""
    epsilon: dict[str, float]
    scale: dict[str, float]
    values: dict[str, tuple[int, ...]] = field(repr=False)
    """Flattened noisy histograms, in (option, département, age band, sex) order."""
    mechanism: str = MECHANISM

    @property
    def total_epsilon(self) -> float:
        return float(sum(self.epsilon.values()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, to store the noise once drawn."""
        return {
            "mechanism": self.mechanism,
            "categories": {k: list(v) for k, v in self.categories.items()},
            "epsilon": dict(self.epsilon),
            "scale": dict(self.scale),
            "values": {k: list(v) for k, v in self.values.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NoisyCounts:
        return cls(
            categories={k: tuple(v) for k, v in data["categories"].items()},
            epsilon={k: float(v) for k, v in data["epsilon"].items()},
            scale={k: float(v) for k, v in data["scale"].items()},
            values={k: tuple(int(x) for x in v) for k, v in data["values"].items()},
            mechanism=data["mechanism"],
        )

    def check_grid(self, grid: Grid) -> None:
        if self.categories != _categories(grid):
            raise ValueError("the noisy counts were measured on another category grid")


def budget_split(policy: Policy) -> dict[str, float]:
    """Epsilon of each measured histogram: the poll's budget split by the policy."""
    return {
        level: policy.dp_epsilon_per_poll * share
        for level, share in zip(LEVELS, policy.dp_level_shares, strict=True)
    }


def draw_noisy_counts(counts: PollCounts, policy: Policy) -> NoisyCounts:
    """Measure the three histograms with discrete Laplace noise (once: store the result)."""
    cube = np.moveaxis(counts.by_departement(), 3, 1)  # option, departement, age, sex
    histograms = {
        "ensemble": cube.sum(axis=(1, 2, 3)),
        "departement": cube.sum(axis=(2, 3)),
        "detail": cube,
    }
    epsilon = budget_split(policy)
    scale = {level: 1.0 / eps for level, eps in epsilon.items()}
    values = {
        level: tuple(_discrete_laplace(histograms[level].ravel(), epsilon[level]))
        for level in LEVELS
    }
    return NoisyCounts(_categories(counts.grid), epsilon, scale, values)


def _discrete_laplace(values: np.ndarray, epsilon: float) -> list[int]:
    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")
    measurement = dp.m.make_laplace(*space, scale=1.0 / epsilon)
    if measurement.map(1) > epsilon * (1 + 1e-9):
        raise RuntimeError("the Laplace measurement would spend more than its budget")
    return [int(v) for v in measurement([int(v) for v in values])]


def _categories(grid: Grid) -> dict[str, tuple[str, ...]]:
    return {
        "options": grid.options,
        "departements": grid.departement_codes,
        "age_bands": grid.age_bands,
        "sexes": grid.sexes,
    }


def consistent_counts(noisy: NoisyCounts) -> np.ndarray:
    """Non-negative integer counts ``[option, age, sex, departement]`` from the stored
    noise, top-down: each level sums exactly to its parent (post-processing only)."""
    shape = tuple(len(noisy.categories[k]) for k in ("options", "departements", "age_bands"))
    n_options, n_departements, n_ages = shape
    n_sexes = len(noisy.categories["sexes"])
    overall = np.array(noisy.values["ensemble"], dtype=float)
    by_departement = np.array(noisy.values["departement"], dtype=float).reshape(
        n_options, n_departements
    )
    detail = np.array(noisy.values["detail"], dtype=float).reshape(
        n_options, n_departements, n_ages * n_sexes
    )
    grand_total = max(0, round(overall.sum()))
    options = fit_to_total(overall, grand_total)
    out = np.zeros((n_options, n_departements, n_ages * n_sexes), dtype=np.int64)
    for o in range(n_options):
        departements = fit_to_total(by_departement[o], int(options[o]))
        for d in range(n_departements):
            out[o, d] = fit_to_total(detail[o, d], int(departements[d]))
    cube = out.reshape(n_options, n_departements, n_ages, n_sexes)
    return np.moveaxis(cube, 1, 3)


def fit_to_total(noisy: np.ndarray, total: int) -> np.ndarray:
    """The closest non-negative vector summing to ``total`` (Euclidean projection on
    the simplex), rounded to integers by largest remainder."""
    return largest_remainder(project_to_simplex(noisy, total), total)


def project_to_simplex(values: np.ndarray, total: float) -> np.ndarray:
    """Euclidean projection of ``values`` on {x >= 0, sum(x) == total}."""
    if total <= 0 or len(values) == 0:
        return np.zeros(len(values))
    ordered = np.sort(values)[::-1]
    excess = np.cumsum(ordered) - total
    ranks = np.arange(1, len(values) + 1)
    last = np.flatnonzero(ordered - excess / ranks > 0)[-1]
    shift = excess[last] / (last + 1)
    return np.maximum(values - shift, 0.0)


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total``: floors, then one more for the largest remainders
    (ties to the first cell)."""
    floors = np.floor(values + 1e-9).astype(np.int64)
    missing = total - int(floors.sum())
    remainders = values - floors
    order = sorted(range(len(values)), key=lambda i: (-remainders[i], i))
    if missing >= 0:
        for i in order[:missing]:
            floors[i] += 1
    else:  # rounding error only: take back from the smallest remainders still positive
        for i in reversed(order):
            if missing == 0:
                break
            if floors[i] > 0:
                floors[i] -= 1
                missing += 1
    return floors
