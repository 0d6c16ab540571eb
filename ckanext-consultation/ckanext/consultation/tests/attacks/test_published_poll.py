"""Attacks on a published 50,000-answer poll: each must fail.

The poll (``synthetic_answers.population()``: every commune of Grand Est weighted by
population, hundreds of communes with 1-3 respondents, a small homogeneous group) goes
through the real path: the citizen app's import action, closing, the publication job.
The attacks then read only what anyone can download: the CSV and JSON files and the
DataStore tables, fetched anonymously through the web app.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from ckanext.consultation import synthetic_answers
from ckanext.consultation.tests import publishing

from .attacker import (
    REGION,
    TOTAL,
    feasible_intervals,
    integer_reconstruction,
    linear_system,
    minimum,
    pinned_cells,
    read_cells,
    required_widths,
)

NAME = "attaque-sondage-50000"
K = 11
"""The frequency rule's threshold (ckanext.consultation.min_cell_count)."""
MIN_COMMUNE = 50
HOMOGENEITY_GROUP, HOMOGENEITY_SHARE = 50, 0.9
ALLOWED_COLUMNS = {"question", "intitule_question", "niveau", "code_territoire", "territoire",
                   "code_departement", "tranche_age", "sexe", "reponse", "effectif",
                   "pourcentage", "statut"}


@cache
def answers() -> tuple[synthetic_answers.Respondent, ...]:
    return synthetic_answers.population(50_000)


@pytest.fixture(scope="module")
def published(clean_db_for_module, _portal_app):
    publishing.ensure_organization()
    publishing.open_consultation(NAME, "Faut-il étendre les horaires des TER le week-end ?")
    report = publishing.import_answers(NAME, answers())
    assert report["inserted"] == len(answers())
    publishing.close_and_publish(NAME)
    return publishing.published_outputs(_portal_app, NAME)


@pytest.fixture(scope="module")
def datastore_rows(published):
    """Every results row of the DataStore tables (question 1)."""
    rows = []
    for resource in published.csv_resources():
        records = resource.datastore_records
        if records and "reponse" in records[0]:
            rows += [r for r in records if r["question"] == 1]
    assert rows
    return rows


@pytest.fixture(scope="module")
def system(datastore_rows):
    return linear_system(read_cells(datastore_rows), answers())


@pytest.fixture(scope="module")
def intervals(system):
    return feasible_intervals(system, required_widths(system, K))


def test_population_has_the_hard_cases():
    """The synthetic poll holds what the policy worries about (else the attacks prove
    little): 50,000 answers, communes with 1-3 respondents, a small homogeneous group."""
    by_commune = synthetic_answers.respondents_by_commune(answers())
    assert len(answers()) >= 50_000
    assert sum(1 <= n <= 3 for n in by_commune.values()) >= 100
    group = [a for a in answers()
             if (a.departement, a.age_band) == synthetic_answers.HOMOGENEOUS_GROUP]
    top = max(sum(a.option == o for a in group) for o in synthetic_answers.OPTIONS)
    assert 11 <= len(group) < HOMOGENEITY_GROUP and top >= HOMOGENEITY_SHARE * len(group)


def test_every_public_copy_says_the_same(published, datastore_rows):
    """The CSV files, the JSON resource and the DataStore publish the same cells: no copy
    gives away what another hides."""
    from_datastore = read_cells(datastore_rows).values
    csv_rows = [r for res in published.csv_resources() for r in res.csv_rows()
                if "reponse" in r and r["question"] == "1"]
    assert read_cells(csv_rows).values == from_datastore
    document = published.json_document()
    json_rows = [row for table in document["questions"][0]["tableaux"] for row in table["lignes"]]
    assert read_cells(json_rows).values == from_datastore


def test_subtraction_from_totals_fails(system, intervals):
    """LP attack over all tables of the poll: for each secret cell, the range of values
    compatible with every published cell, total and margin (scipy linprog). A count of
    1-10 must keep at least 11 possible values; no secret cell may be pinned."""
    required = required_widths(system, K)
    assert len(intervals) == len(required) > 50
    assert sum(1 <= system.truth[c] < K for c in required) > 20
    exposed = [(system.keys[c], system.truth[c], intervals[c]) for c, width in required.items()
               if intervals[c][1] - intervals[c][0] < width - 1e-6]
    assert not exposed


def test_reconstruction_by_integer_programming_fails(system):
    """Integer programming over all released tables (scipy milp): an integer completion
    of every table is found, but it is not the truth for the secret cells, and no secret
    cell has the truth as its only possible integer value."""
    guess = integer_reconstruction(system)
    targets = np.array(system.targets)
    assert (guess[targets] != system.truth[targets]).sum() > len(targets) // 4
    pinned = pinned_cells(system)
    assert not [system.keys[c] for c in pinned if system.truth[c] > 0]


def test_geographic_leftover_isolates_nobody(datastore_rows):
    """Département minus its published communes: whatever can be computed that way is
    an "autres communes" pool of at least k respondents (or nobody), never a village."""
    cells = read_cells(datastore_rows)
    by_commune = synthetic_answers.respondents_by_commune(answers())
    checked = 0
    for departement, units in cells.units.items():
        communes = [u for u in units if not u.endswith("-autres") and u != "non renseigné"]
        for option in [*cells.options, TOTAL]:
            parts = [cells.values.get((u, TOTAL, TOTAL, option)) for u in communes]
            whole = cells.values.get((departement, TOTAL, TOTAL, option))
            if whole is None or None in parts:
                continue
            leftover = whole - sum(parts)
            checked += 1
            assert leftover == 0 or leftover >= K, (departement, option, leftover)
        pooled = [c for c, n in by_commune.items() if c[:2] == departement and c not in units]
        assert len(pooled) != 1, departement  # a pool is never a single commune
    assert checked > 0


def test_small_communes_are_never_singled_out(published, datastore_rows):
    """Communes with 1-3 respondents (and every commune under 50) appear nowhere: not by
    code, not by name, in no file and no DataStore table."""
    by_commune = synthetic_answers.respondents_by_commune(answers())
    shown = {r["code_territoire"] for r in datastore_rows if r["niveau"] == "commune"}
    for code in shown - {u for u in shown if u.endswith("-autres") or u == "non renseigné"}:
        assert by_commune[code] >= MIN_COMMUNE, code
    tiny = [code for code, n in by_commune.items() if n <= 3]
    assert len(tiny) >= 100
    tokens = set(re.findall(r"\b\d{5}\b", published.all_text()))
    assert not tokens & set(tiny)
    names = {c.code: c.name for c in synthetic_answers.communes()}
    territories = {r["territoire"] for r in datastore_rows if r["niveau"] == "commune"}
    # A tiny commune's name may only appear as the name of a homonym that is shown.
    homonyms = {names[c] for c in shown if c in names}
    assert not {names[c] for c in tiny} & territories - homonyms


def test_homogeneous_group_inference_fails(system, datastore_rows):
    """The small group that answered "Oui" almost unanimously (Haute-Marne, age not
    given): its answers are not published, and no reading of the tables proves that
    90 % or more of it gave the same answer. For each answer, the LP minimum of
    answer - 90 % x group total, over everything consistent with the publication, must
    be below zero."""
    departement, age = synthetic_answers.HOMOGENEOUS_GROUP
    cells = read_cells(datastore_rows)
    group = (departement, age, TOTAL, TOTAL)
    assert 0 < system.truth[system.index[group]] < HOMOGENEITY_GROUP
    for option in cells.options:
        key = (departement, age, TOTAL, option)
        if system.truth[system.index[key]] > 0:
            assert cells.values[key] is None, key
            margin = minimum(system, {system.index[key]: 1.0,
                                      system.index[group]: -HOMOGENEITY_SHARE})
            assert margin < 0, (key, margin)


def test_percentage_times_total_reconstructs_nothing(datastore_rows):
    """Percentages x group totals: a secret count has no percentage, a count whose group
    total is secret has none either (count / percentage would give the total), and
    published percentages say nothing the counts do not."""
    cells = read_cells(datastore_rows).values
    checked = 0
    for row in datastore_rows:
        if row["reponse"] == TOTAL:
            assert row["pourcentage"] is None
            continue
        group = (row["code_territoire"], row.get("tranche_age") or TOTAL,
                 row.get("sexe") or TOTAL, TOTAL)
        total = cells[group]
        if row["effectif"] is None or total is None:
            assert row["pourcentage"] is None, row
            continue
        if total:
            assert abs(float(row["pourcentage"]) - 100 * row["effectif"] / total) <= 0.5 + 1e-9
            checked += 1
    assert checked > 100


def test_linkage_no_ids_hashes_or_timestamps(published):
    """Nothing to link a row to a person or to another data set: no respondent key, no
    answer id, no hash or token, no time of answer; only category columns and counts."""
    keys = {k for a in answers() for k in (a.answer_key, a.respondent_key)}
    text = published.all_text()
    assert not set(re.findall(r"[0-9a-f]{32}", text)) & keys
    for resource in published.csv_resources():
        if resource.metadata.get("consultation_table") == "suivi":
            continue
        content = resource.text
        assert not re.search(r"\b[0-9a-fA-F]{12,}\b", content)
        assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", content)
        assert set(resource.csv_rows()[0]) <= ALLOWED_COLUMNS
        fields = {f["id"] for f in resource.datastore_fields} - {"_id"}
        assert fields <= ALLOWED_COLUMNS


def test_rows_come_in_a_fixed_order(published):
    """Row order follows the public category grid (never arrival order); the DataStore
    holds the file's rows in the file's order."""
    for resource in published.csv_resources():
        if not resource.datastore_records or "reponse" not in resource.datastore_records[0]:
            continue
        stored = [{k: v for k, v in r.items() if k != "_id"}
                  for r in resource.datastore_records]
        assert [r["_id"] for r in resource.datastore_records] == list(
            range(1, len(stored) + 1))
        as_text = [{k: "" if v is None else str(v) for k, v in r.items()} for r in stored]
        from_file = resource.csv_rows()
        assert [r["code_territoire"] for r in as_text] == [
            r["code_territoire"] for r in from_file]
        if resource.metadata.get("consultation_table") == "departement":
            territories = list(dict.fromkeys(r["code_territoire"] for r in from_file))
            assert territories == [REGION, "08", "10", "51", "52", "54", "55", "57", "67",
                                   "68", "88", "non renseigné"]
