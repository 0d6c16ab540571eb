"""A deterministic synthetic poll over real Grand Est communes, for the attack tests.

Communes, codes and populations come from INSEE's Code officiel géographique (the
portal's ``cog_grand_est.json``). Respondents are drawn in proportion to population,
with demographics and answers that vary by age and territory, and with the hard cases
the policy names built in: communes with 1-3 respondents, answers without a commune or
a département, and a small homogeneous group (Haute-Marne respondents who did not give
their age almost all answered "Oui").
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import numpy as np

from ckanext.consultation.anonymisation.tables import (
    AGE_BANDS,
    NOT_PROVIDED,
    SEXES,
    Answer,
    Commune,
    Grid,
    PollCounts,
    aggregate_answers,
)
from ckanext.consultation.synthetic_answers import (
    ANSWER_SHARES,
    HOMOGENEOUS_GROUP,
    HOMOGENEOUS_SHARE,
    NO_COMMUNE_SHARE,
    NO_DEPARTEMENT_SHARE,
    OPTIONS,
    SEX_SHARES,
)

SEED = 20_240_601

# (code, name, population)
COMMUNES: tuple[tuple[str, str, int], ...] = (
    ("08105", "Charleville-Mézières", 45560),
    ("08409", "Sedan", 16667),
    ("08362", "Rethel", 7444),
    ("08190", "Givet", 6364),
    ("08490", "Vouziers", 3825),
    ("10387", "Troyes", 62088),
    ("10323", "Romilly-sur-Seine", 14959),
    ("10081", "La Chapelle-Saint-Luc", 12648),
    ("10333", "Saint-André-les-Vergers", 12806),
    ("10033", "Bar-sur-Aube", 4665),
    ("51454", "Reims", 177674),
    ("51108", "Châlons-en-Champagne", 42971),
    ("51230", "Épernay", 22174),
    ("51649", "Vitry-le-François", 10996),
    ("51507", "Sainte-Menehould", 4146),
    ("52121", "Chaumont", 20827),
    ("52448", "Saint-Dizier", 22858),
    ("52269", "Langres", 7421),
    ("52250", "Joinville", 2915),
    ("54395", "Nancy", 103671),
    ("54547", "Vandœuvre-lès-Nancy", 29942),
    ("54329", "Lunéville", 18262),
    ("54528", "Toul", 15768),
    ("54323", "Longwy", 15679),
    ("54431", "Pont-à-Mousson", 14190),
    ("55545", "Verdun", 16890),
    ("55029", "Bar-le-Duc", 14607),
    ("55122", "Commercy", 5350),
    ("55463", "Saint-Mihiel", 3772),
    ("57463", "Metz", 122572),
    ("57672", "Thionville", 42658),
    ("57480", "Montigny-lès-Metz", 21718),
    ("57227", "Forbach", 20493),
    ("57631", "Sarreguemines", 20143),
    ("57630", "Sarrebourg", 12170),
    ("57757", "Yutz", 17391),
    ("57606", "Saint-Avold", 14755),
    ("67482", "Strasbourg", 293771),
    ("67180", "Haguenau", 36391),
    ("67447", "Schiltigheim", 34708),
    ("67218", "Illkirch-Graffenstaden", 27872),
    ("67462", "Sélestat", 19589),
    ("67437", "Saverne", 11460),
    ("67348", "Obernai", 12587),
    ("68224", "Mulhouse", 104978),
    ("68066", "Colmar", 66970),
    ("68297", "Saint-Louis", 22805),
    ("68376", "Wittenheim", 15553),
    ("68112", "Guebwiller", 11243),
    ("68078", "Eguisheim", 1729),
    ("68277", "Riquewihr", 999),
    ("88160", "Épinal", 32251),
    ("88413", "Saint-Dié-des-Vosges", 19251),
    ("88196", "Gérardmer", 7581),
    ("88383", "Remiremont", 7388),
    ("88321", "Neufchâteau", 6732),
)

TINY_COMMUNES: dict[str, tuple[str, int]] = {
    # code: (name, respondents) - villages the policy says must never be visible
    "52140": ("Colombey les Deux Églises", 3),
    "88154": ("Domrémy-la-Pucelle", 1),
    "55506": ("Thillombois", 2),
    "55172": ("Les Éparges", 1),
    "10266": ("Nogent-en-Othe", 2),
    "67334": ("Niedersteinbach", 3),
}

# The shares of the demo population, but for age: this population was drawn with these.
AGE_SHARES = (0.12, 0.15, 0.24, 0.25, 0.21, 0.03)


def synthetic_grid() -> Grid:
    communes = [Commune(code, name, code[:2]) for code, name, _ in COMMUNES]
    communes += [Commune(code, name, code[:2]) for code, (name, _) in TINY_COMMUNES.items()]
    return Grid(OPTIONS, tuple(sorted(communes, key=lambda c: c.code)))


def synthetic_answers(n: int = 50_000, seed: int = SEED) -> Iterator[Answer]:
    """``n`` answers (plus the tiny communes' few), streamed in a fixed order."""
    rng = np.random.default_rng(seed)
    population = np.array([p for _, _, p in COMMUNES], dtype=float)
    commune = rng.choice(len(COMMUNES), size=n, p=population / population.sum())
    age = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARES)
    sex = rng.choice(len(SEXES), size=n, p=SEX_SHARES)
    location_draw = rng.random(n)
    answer_draw = rng.random(n)
    cumulative = ANSWER_SHARES.cumsum(axis=1)
    for i in range(n):
        code = COMMUNES[commune[i]][0]
        departement = code[:2]
        age_band = AGE_BANDS[age[i]]
        option = int(np.searchsorted(cumulative[age[i]], answer_draw[i] * 0.999999))
        if (departement, age_band) == HOMOGENEOUS_GROUP:
            option = 0 if answer_draw[i] < HOMOGENEOUS_SHARE else 2
        if location_draw[i] < NO_DEPARTEMENT_SHARE:
            departement = code = NOT_PROVIDED
        elif location_draw[i] < NO_COMMUNE_SHARE:
            code = NOT_PROVIDED
        yield Answer(OPTIONS[option], age_band, SEXES[sex[i]], departement, code)
    for code, (_, respondents) in TINY_COMMUNES.items():
        for j in range(respondents):
            yield Answer(OPTIONS[j % 2], AGE_BANDS[(j + 2) % 5], SEXES[j % 2], code[:2], code)


@cache
def synthetic_counts(n: int = 50_000, seed: int = SEED) -> PollCounts:
    return aggregate_answers(synthetic_answers(n, seed), synthetic_grid())
