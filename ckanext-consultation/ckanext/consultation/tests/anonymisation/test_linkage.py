"""Linkage: nothing identifies a person or an answer, and the layout never varies."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import numpy as np

from ckanext.consultation.anonymisation import PollCounts, protect_poll

from .releases import counts, default_release
from .synthetic_population import synthetic_answers, synthetic_grid

ALLOWED_COLUMNS = {
    "niveau",
    "code_territoire",
    "territoire",
    "code_departement",
    "tranche_age",
    "sexe",
    "reponse",
    "effectif",
    "pourcentage",
    "statut",
}


def test_no_ids_hashes_or_timestamps():
    release = default_release()
    text = release.to_json()
    for table in release.tables:
        assert set(table.columns) <= ALLOWED_COLUMNS
        text += table.to_csv()
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", text)  # no dates or times
    assert not re.search(r"\b[0-9a-fA-F]{12,}\b", text)  # no hashes or tokens
    assert not re.search(r"\b(id|uuid|hash|token|ip|timestamp)\b", text, re.IGNORECASE)


def test_json_has_only_aggregates_and_methodology():
    document = json.loads(default_release().to_json())
    assert set(document) == {"participants", "methodologie", "tableaux"}
    assert not any("audit" in key or "interval" in key for key in document["methodologie"])


def test_rows_follow_the_grid_order():
    grid = counts().grid
    rows = default_release().table("departement_age").records()
    territories = list(dict.fromkeys(r["code_territoire"] for r in rows))
    assert territories == ["44", *grid.departement_codes]
    first = [r for r in rows if r["code_territoire"] == "44"]
    ages = list(dict.fromkeys(r["tranche_age"] for r in first))
    assert ages == [*grid.age_bands, "Ensemble"]
    answers = [r["reponse"] for r in first if r["tranche_age"] == grid.age_bands[0]]
    assert answers == [*grid.options, "Ensemble"]
    communes = [r["code_territoire"] for r in default_release().table("commune").records()]
    metz, moselle = communes.index("57463"), communes.index("57")
    assert moselle < metz < communes.index("57-autres") < communes.index("67")


def test_exports_are_byte_identical_whatever_the_order_of_the_answers():
    """Shuffled answers, counted by a GROUP BY, give the very same bytes."""
    answers = list(synthetic_answers())
    random.Random(1).shuffle(answers)
    grid = synthetic_grid()
    groups = Counter(answers)
    regrouped = PollCounts.from_groups(grid, ((*key, n) for key, n in sorted(groups.items())))
    assert np.array_equal(regrouped.array, counts().array)
    release = protect_poll(regrouped)
    assert release.to_json() == default_release().to_json()
    assert [t.to_csv() for t in release.tables] == [t.to_csv() for t in default_release().tables]
