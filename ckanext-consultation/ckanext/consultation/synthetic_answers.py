"""A deterministic synthetic population of poll answers over every commune of Grand Est,
for the demo consultation and the attack tests (never real answers).

Communes and their populations come from INSEE's Code officiel géographique (the
portal's ``cog_grand_est.json``, 5,115 communes). Respondents are drawn in proportion to
population, so the region's thousands of villages get the handful of respondents they
would really get: many communes end with 1-3 respondents. Age bands and sex follow
rough regional shares, answers vary with age and between urban and rural communes, a
few respondents give no commune or no département, and one small group is homogeneous:
Haute-Marne respondents who did not give their age almost all answered "Oui".

Each answer carries the keys the citizen app sends (a pseudonymous respondent key and an
answer id): the attack tests look for them in every published output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from ckanext.consultation.anonymisation import tables
from ckanext.consultation.anonymisation.tables import AGE_BANDS, NOT_PROVIDED, SEXES
from ckanext.grandest import vocabularies

SEED = 20_250_611
OPTIONS = ("Oui", "Plutôt oui", "Plutôt non", "Non")
AGE_SHARES = (0.12, 0.15, 0.24, 0.25, 0.215, 0.025)
SEX_SHARES = (0.51, 0.46, 0.03)
NO_COMMUNE_SHARE = 0.015
NO_DEPARTEMENT_SHARE = 0.0006
URBAN = 20_000
"""Communes above this population lean towards the proposal."""
# Answer shares by age band: younger respondents favour the proposal.
ANSWER_SHARES = np.array(
    [
        [0.45, 0.30, 0.15, 0.10],
        [0.38, 0.30, 0.18, 0.14],
        [0.30, 0.30, 0.22, 0.18],
        [0.24, 0.28, 0.25, 0.23],
        [0.18, 0.24, 0.28, 0.30],
        [0.25, 0.25, 0.25, 0.25],
    ]
)
URBAN_SHIFT = np.array([0.05, 0.02, -0.03, -0.04])
HOMOGENEOUS_GROUP = ("52", NOT_PROVIDED)
"""(département, age band) of the small group that answered "Oui" almost unanimously."""
HOMOGENEOUS_SHARE = 0.96


@dataclass(frozen=True)
class Respondent:
    """One answer as the citizen app sends it."""

    answer_key: str
    respondent_key: str
    option: str
    age_band: str
    sex: str
    departement: str
    commune: str


@dataclass(frozen=True)
class Commune(tables.Commune):
    """A commune of the grid, with the population its respondents are drawn from."""

    population: int


@cache
def communes() -> tuple[Commune, ...]:
    """Every current commune of Grand Est with its population, in COG order."""
    return tuple(
        Commune(t.code, t.name, t.parents[-1].split(":")[1], t.population or 0)
        for t in vocabularies.territories().values()
        if t.level == "commune" and t.population
    )


def _key(kind: str, seed: int, i: int) -> str:
    # Looks like what an app sends: an opaque 32-hex token, unique and stable.
    return hashlib.sha256(f"{kind}:{seed}:{i}".encode()).hexdigest()[:32]


@cache
def population(n: int = 50_000, seed: int = SEED) -> tuple[Respondent, ...]:
    """``n`` answers to one question, always the same for the same ``seed``."""
    rng = np.random.default_rng(seed)
    places = communes()
    weights = np.array([c.population for c in places], dtype=float)
    where = rng.choice(len(places), size=n, p=weights / weights.sum())
    age = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARES)
    sex = rng.choice(len(SEXES), size=n, p=SEX_SHARES)
    location_draw = rng.random(n)
    answer_draw = rng.random(n)
    shares = np.stack([ANSWER_SHARES, ANSWER_SHARES + URBAN_SHIFT])
    cumulative = shares.cumsum(axis=2)
    out = []
    for i in range(n):
        commune = places[where[i]]
        departement, code = commune.departement, commune.code
        urban = int(commune.population >= URBAN)
        option = int(np.searchsorted(cumulative[urban, age[i]], answer_draw[i] * 0.999999))
        if (departement, AGE_BANDS[age[i]]) == HOMOGENEOUS_GROUP:
            option = 0 if answer_draw[i] < HOMOGENEOUS_SHARE else 2
        if location_draw[i] < NO_DEPARTEMENT_SHARE:
            departement = code = NOT_PROVIDED
        elif location_draw[i] < NO_COMMUNE_SHARE:
            code = NOT_PROVIDED
        out.append(
            Respondent(
                _key("answer", seed, i),
                _key("respondent", seed, i),
                OPTIONS[option],
                AGE_BANDS[age[i]],
                SEXES[sex[i]],
                departement,
                code,
            )
        )
    return tuple(out)


def import_rows(answers: Iterable[Respondent], question: int = 1) -> Iterator[dict[str, Any]]:
    """The answers as ``consultation_answers_import`` takes them (question by position)."""
    for a in answers:
        yield {
            "answer_id": a.answer_key,
            "respondent_key": a.respondent_key,
            "question": question,
            "option": a.option,
            "age_band": a.age_band,
            "sex": a.sex,
            "departement": a.departement,
            "commune": a.commune,
        }


def respondents_by_commune(answers: Iterable[Respondent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a in answers:
        if a.commune != NOT_PROVIDED:
            counts[a.commune] = counts.get(a.commune, 0) + 1
    return counts
