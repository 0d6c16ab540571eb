"""Attacks on a poll published in differential-privacy mode: each must fail.

A DP consultation of 5,000 synthetic answers, with an answer option nobody chose, goes
through the real path. Re-exporting it must not draw new noise (averaging several
exports would remove it), the ledger must refuse a release beyond the yearly budget,
empty categories must be published like the others (their absence would say "nobody"),
and the counts must be non-negative integers consistent with their totals.
"""

from __future__ import annotations

import itertools

import pytest
from ckan import model

from ckanext.consultation import synthetic_answers
from ckanext.consultation.model import BudgetCharge, Consultation, NoiseDraw
from ckanext.consultation.publication.errors import PublicationFailed, PublicationRefused
from ckanext.consultation.publication.jobs import publish_consultation
from ckanext.consultation.tests import publishing

from .attacker import REGION, TOTAL, linear_system, read_cells

NAME = "attaque-confidentialite-differentielle"
NOBODY = "Sans opinion"
OPTIONS = [*synthetic_answers.OPTIONS, NOBODY]


def _answers() -> tuple[synthetic_answers.Respondent, ...]:
    return synthetic_answers.population(5000, seed=3)


def _id(name: str) -> str:
    return model.Session.query(Consultation.id).filter(Consultation.name == name).scalar()


def _publish_dp(name: str, answers) -> None:
    publishing.open_consultation(name, "Faut-il des trains de nuit vers Paris ?",
                                 options=OPTIONS, privacy_mode="differential_privacy")
    publishing.import_answers(name, answers)
    publishing.close_and_publish(name)


@pytest.fixture(scope="module")
def published(clean_db_for_module, _portal_app):
    publishing.ensure_organization()
    _publish_dp(NAME, _answers())
    return publishing.published_outputs(_portal_app, NAME)


@pytest.fixture(scope="module")
def rows(published):
    out = [r for res in published.csv_resources() for r in res.datastore_records
           if "reponse" in r and r["question"] == 1]
    assert out
    return out


def test_reexports_are_identical(published, app):
    """Averaging attack: were each export noised afresh, averaging many would reveal the
    true counts. Publishing again gives byte-identical files and DataStore rows, from
    the noise drawn once (no new draw, no new ε charged)."""
    draws = model.Session.query(NoiseDraw).count()
    charges = model.Session.query(BudgetCharge).count()
    publish_consultation(_id(NAME))
    again = publishing.published_outputs(app, NAME)
    assert [r.content for r in again.resources] == [r.content for r in published.resources]
    assert [r.datastore_records for r in again.resources] == [
        r.datastore_records for r in published.resources]
    assert model.Session.query(NoiseDraw).count() == draws
    assert model.Session.query(BudgetCharge).count() == charges


@pytest.mark.ckan_config("ckanext.consultation.dp.epsilon_per_year", "1.5")
def test_ledger_refuses_overspend(published, ckan_config):
    """Budget attack: many DP releases in a year add up to no protection at all. With a
    yearly cap of 1.5 and 1.0 already spent, the next DP consultation's publication is
    refused, nothing is published for it and nothing is charged."""
    spent = sum(e for (e,) in model.Session.query(BudgetCharge.epsilon))
    assert spent == pytest.approx(1.0)
    with pytest.raises((PublicationRefused, PublicationFailed), match="plafond"):
        _publish_dp("attaque-confidentialite-differentielle-2", _answers()[:2000])
    second = model.Session.query(Consultation).filter(
        Consultation.name == "attaque-confidentialite-differentielle-2").one()
    assert second.status == "closed" and second.package_id is None
    assert "plafond" in second.publication_error
    assert sum(e for (e,) in model.Session.query(BudgetCharge.epsilon)) == pytest.approx(spent)


def test_empty_categories_are_present(rows):
    """Absence attack: a missing row would say that nobody chose that answer (or lives
    there). Every category of the public grid has its rows, the option nobody chose
    included, with a count like any other."""
    cells = read_cells(rows)
    assert NOBODY in cells.options
    assert cells.ages == ["15-24", "25-34", "35-49", "50-64", "65+", "non renseigné"]
    assert cells.sexes == ["femme", "homme", "non renseigné"]
    assert cells.departements == ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88",
                                  "non renseigné"]
    by_table: dict[tuple, set] = {}
    for row in rows:
        shape = tuple(k for k in ("tranche_age", "sexe") if k in row)
        by_table.setdefault(shape, set()).add(row["reponse"])
        assert row["statut"] == "publié" and row["effectif"] is not None
    assert all(answers == {*OPTIONS, TOTAL} for answers in by_table.values())
    assert not any(a.option == NOBODY for a in _answers())


def test_counts_are_non_negative_and_consistent(rows):
    """Post-processing attack: negative or inconsistent counts would show where the
    noise went. Every count is a non-negative integer, every total is the sum of its
    parts (answers, age bands, sexes, départements), and the noise is really there."""
    cells = read_cells(rows)
    values = cells.values
    assert all(isinstance(v, int) and v >= 0 for v in values.values())
    territories = [REGION, *cells.departements]
    for t, a, s in itertools.product(territories, [*cells.ages, TOTAL], [*cells.sexes, TOTAL]):
        if (t, a, s, TOTAL) in values:
            assert values[(t, a, s, TOTAL)] == sum(values[(t, a, s, o)] for o in cells.options)
    for t, o in itertools.product(territories, [*cells.options, TOTAL]):
        if all((t, x, TOTAL, o) in values for x in cells.ages):
            assert values[(t, TOTAL, TOTAL, o)] == sum(values[(t, x, TOTAL, o)]
                                                       for x in cells.ages)
        if all((t, TOTAL, x, o) in values for x in cells.sexes):
            assert values[(t, TOTAL, TOTAL, o)] == sum(values[(t, TOTAL, x, o)]
                                                       for x in cells.sexes)
    for o in [*cells.options, TOTAL]:
        assert values[(REGION, TOTAL, TOTAL, o)] == sum(
            values[(d, TOTAL, TOTAL, o)] for d in cells.departements)
    system = linear_system(cells, _answers())
    published = [i for i, k in enumerate(system.keys) if k in values]
    assert (system.known[published] != system.truth[published]).sum() > len(published) // 3
