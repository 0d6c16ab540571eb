"""The engine's input: the public category grid and the answer counts of one poll question.

Answers arrive either one row at a time (streamed, never held in memory) or already
counted by the database (``GROUP BY option, age_band, sex, departement, commune``), so
a 1,000,000-answer poll costs one query and a small array here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from typing import NamedTuple

import numpy as np

NOT_PROVIDED = "non renseigné"
"""Rule 7: the explicit category of a respondent who did not give a demographic."""

TOTAL_LABEL = "Ensemble"
"""How a margin (all categories of a dimension) reads in published tables."""

REGION_CODE = "44"
REGION_NAME = "Grand Est"

AGE_BANDS: tuple[str, ...] = ("15-24", "25-34", "35-49", "50-64", "65+", NOT_PROVIDED)
SEXES: tuple[str, ...] = ("femme", "homme", NOT_PROVIDED)
GRAND_EST_DEPARTEMENTS: tuple[tuple[str, str], ...] = (
    ("08", "Ardennes"),
    ("10", "Aube"),
    ("51", "Marne"),
    ("52", "Haute-Marne"),
    ("54", "Meurthe-et-Moselle"),
    ("55", "Meuse"),
    ("57", "Moselle"),
    ("67", "Bas-Rhin"),
    ("68", "Haut-Rhin"),
    ("88", "Vosges"),
    (NOT_PROVIDED, NOT_PROVIDED),
)


class UnknownCategory(ValueError):
    """An answer uses a category that is not on the poll's public grid."""


@dataclass(frozen=True)
class Commune:
    """A commune of the public grid (COG code, name, code of its département)."""

    code: str
    name: str
    departement: str


class Answer(NamedTuple):
    """One answer with the demographics frozen at answer time (rule 7); nothing else.

    Respondent keys and timestamps never reach the engine: they cannot leak from it.
    """

    option: str
    age_band: str
    sex: str
    departement: str
    commune: str


@dataclass(frozen=True)
class Grid:
    """The fixed public categories of one poll question, in publication order.

    Locations are where an answer is counted: every commune of the grid, then one
    "commune non renseignée" slot per département (the last one for a respondent whose
    département is unknown too).
    """

    options: tuple[str, ...]
    communes: tuple[Commune, ...]
    age_bands: tuple[str, ...] = AGE_BANDS
    sexes: tuple[str, ...] = SEXES
    departements: tuple[tuple[str, str], ...] = GRAND_EST_DEPARTEMENTS

    def __post_init__(self) -> None:
        for name, values in (
            ("options", self.options),
            ("age_bands", self.age_bands),
            ("sexes", self.sexes),
            ("departements", self.departement_codes),
            ("communes", tuple(c.code for c in self.communes)),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"duplicate categories in {name}")
        if not self.options:
            raise ValueError("a poll needs at least one answer option")
        if TOTAL_LABEL in self.options:
            raise ValueError(f"{TOTAL_LABEL!r} is reserved for totals")
        for name, values in (
            ("age_bands", self.age_bands),
            ("sexes", self.sexes),
            ("departements", self.departement_codes),
        ):
            if NOT_PROVIDED not in values:
                raise ValueError(f"{name} must include {NOT_PROVIDED!r} (rule 7)")
        for commune in self.communes:
            if commune.departement not in self.departement_codes or (
                commune.departement == NOT_PROVIDED
            ):
                raise ValueError(f"commune {commune.code} is in no département of the grid")

    @cached_property
    def departement_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.departements)

    @cached_property
    def shape(self) -> tuple[int, int, int, int]:
        """(options, age bands, sexes, locations): the shape of a count array."""
        return (len(self.options), len(self.age_bands), len(self.sexes), self.location_count)

    @property
    def location_count(self) -> int:
        return len(self.communes) + len(self.departements)

    @cached_property
    def location_departement(self) -> np.ndarray:
        """The département index of every location."""
        index = {code: i for i, code in enumerate(self.departement_codes)}
        communes = [index[c.departement] for c in self.communes]
        return np.array(communes + list(range(len(self.departements))), dtype=np.intp)

    def unknown_commune_location(self, departement: int) -> int:
        """The location of answers from département ``departement`` without a commune."""
        return len(self.communes) + departement

    @cached_property
    def _lookups(self) -> tuple[dict[str, int], ...]:
        return tuple(
            {value: i for i, value in enumerate(values)}
            for values in (self.options, self.age_bands, self.sexes, self.departement_codes)
        )

    @cached_property
    def _commune_index(self) -> dict[str, tuple[int, str]]:
        return {c.code: (i, c.departement) for i, c in enumerate(self.communes)}

    def flat_index(self, answer: Answer | tuple[str, str, str, str, str]) -> int:
        """The position of one answer's cell in a flattened count array."""
        option, age_band, sex, departement, commune = answer
        options, ages, sexes, departements = self._lookups
        try:
            o, a, s = options[option], ages[age_band], sexes[sex]
            d = departements[departement]
        except KeyError as error:
            raise UnknownCategory(f"catégorie inconnue : {error.args[0]!r}") from None
        if commune == NOT_PROVIDED:
            location = self.unknown_commune_location(d)
        else:
            found = self._commune_index.get(commune)
            if found is None or found[1] != departement:
                raise UnknownCategory(
                    f"commune inconnue dans le département {departement} : {commune!r}"
                )
            location = found[0]
        _, n_ages, n_sexes, n_locations = self.shape
        return ((o * n_ages + a) * n_sexes + s) * n_locations + location


@dataclass(frozen=True)
class PollCounts:
    """Answer counts of one question on its grid: ``array[option, age, sex, location]``."""

    grid: Grid
    array: np.ndarray

    def __post_init__(self) -> None:
        if self.array.shape != self.grid.shape:
            raise ValueError(f"counts of shape {self.array.shape}, grid is {self.grid.shape}")
        if not np.issubdtype(self.array.dtype, np.integer) or (self.array < 0).any():
            raise ValueError("counts must be non-negative integers")

    @classmethod
    def zeros(cls, grid: Grid) -> PollCounts:
        return cls(grid, np.zeros(grid.shape, dtype=np.int64))

    @classmethod
    def from_groups(
        cls, grid: Grid, groups: Iterable[tuple[str, str, str, str, str, int]]
    ) -> PollCounts:
        """Counts from ``(option, age_band, sex, departement, commune, n)`` rows: the
        result of the database's GROUP BY. A repeated key adds up."""
        flat = np.zeros(int(np.prod(grid.shape)), dtype=np.int64)
        for *key, n in groups:
            if n < 0:
                raise ValueError("a count cannot be negative")
            flat[grid.flat_index(tuple(key))] += n  # type: ignore[arg-type]
        return cls(grid, flat.reshape(grid.shape))

    @classmethod
    def from_mapping(
        cls, grid: Grid, counts: Mapping[tuple[str, str, str, str, str], int]
    ) -> PollCounts:
        """Counts from a dict keyed by ``(option, age_band, sex, departement, commune)``."""
        return cls.from_groups(grid, ((*key, n) for key, n in counts.items()))

    @property
    def total(self) -> int:
        return int(self.array.sum())

    def location_totals(self) -> np.ndarray:
        """Respondents per location, all answers and demographics together."""
        return self.array.sum(axis=(0, 1, 2))

    def by_departement(self) -> np.ndarray:
        """``array[option, age, sex, departement]``: communes summed into départements."""
        n_departements = len(self.grid.departements)
        one_hot = np.zeros((self.grid.location_count, n_departements), dtype=np.int64)
        one_hot[np.arange(self.grid.location_count), self.grid.location_departement] = 1
        return self.array @ one_hot


def aggregate_answers(
    answers: Iterable[Answer | tuple[str, str, str, str, str]],
    grid: Grid,
    chunk_size: int = 65_536,
) -> PollCounts:
    """Count streamed answers chunk by chunk: memory stays at one chunk plus the grid."""
    size = int(np.prod(grid.shape))
    flat = np.zeros(size, dtype=np.int64)
    for chunk in _chunks(iter(answers), chunk_size):
        indices = np.fromiter((grid.flat_index(a) for a in chunk), dtype=np.intp)
        flat += np.bincount(indices, minlength=size)
    return PollCounts(grid, flat.reshape(grid.shape))


def _chunks(items: Iterator[Answer | tuple[str, ...]], size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk
