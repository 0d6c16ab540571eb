"""Differential-privacy mode: noise drawn once and stored, ε charged to the ledger (per
poll and per year, overspending refused), re-exports byte-identical."""

from __future__ import annotations

import datetime as dt
import math

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.consultation.model import BudgetCharge, NoiseDraw
from ckanext.consultation.tests.publication.conftest import publish
from ckanext.consultation.tests.publication.population import (
    OPTIONS,
    create_consultation,
    population,
)
from ckanext.consultation.tests.publication.reading import datastore_rows, stored_file

DEPARTEMENTS = 11   # the ten of Grand Est and "non renseigné"


def _dp_consultation(moderator, name: str, questions: int = 2) -> dict:
    return create_consultation(moderator, name, population(seed=7, questions=questions),
                               questions=questions, privacy_mode="differential_privacy")


def _ledger(consultation_id: str | None = None) -> list[tuple[str, str, float, int]]:
    query = model.Session.query(BudgetCharge)
    if consultation_id:
        query = query.filter_by(consultation_id=consultation_id)
    return sorted((r.question_id, r.table_name, r.epsilon, r.year) for r in query)


def _outputs(name: str) -> dict[str, tuple[bytes, list]]:
    package = helpers.call_action("package_show", id=name)
    return {r["consultation_table"]: (stored_file(r["id"]),
                                      datastore_rows(r["id"]) if r["datastore_active"] else [])
            for r in package["resources"]}


def _refusal(moderator, consultation, **options) -> str:
    with pytest.raises(tk.ValidationError) as error:
        publish(moderator, consultation, **options)
    return error.value.error_dict["publication"][0]


def test_noise_is_drawn_once_and_the_budget_charged(moderator, no_jobs):
    consultation = _dp_consultation(moderator, "avis-bruite")
    publish(moderator, consultation)

    noise = model.Session.query(NoiseDraw).all()
    assert sorted(n.epsilon for n in noise) == [0.5, 0.5]   # the poll's ε, per question
    ledger = _ledger(consultation["id"])
    assert len(ledger) == 6   # 2 questions x 3 measured histograms
    assert math.isclose(sum(e for _, _, e, _ in ledger), 1.0)
    assert {year for *_, year in ledger} == {dt.date.today().year}

    package = helpers.call_action("package_show", id="avis-bruite")
    assert package["privacy_mode"] == "differential_privacy"
    assert package["epsilon"] == "1"
    assert "ε = 0,5" in package["methodology"]
    tables = [r["consultation_table"] for r in package["resources"]]
    assert "commune" not in tables
    departement = next(r for r in package["resources"]
                       if r["consultation_table"] == "departement")
    rows = datastore_rows(departement["id"])
    for question in (1, 2):
        cells = [r for r in rows if r["question"] == question and r["niveau"] == "département"]
        # Every category of the public grid, empty ones included, never negative.
        assert len(cells) == DEPARTEMENTS * (len(OPTIONS) + 1)
        assert all(isinstance(r["effectif"], int) and r["effectif"] >= 0 for r in cells)
        for code in {r["code_territoire"] for r in cells}:
            group = {r["reponse"]: r["effectif"] for r in cells if r["code_territoire"] == code}
            assert group.pop("Ensemble") == sum(group.values())


def test_reexport_is_byte_identical_and_free(moderator, no_jobs):
    consultation = _dp_consultation(moderator, "reexport")
    publish(moderator, consultation)
    first, ledger = _outputs("reexport"), _ledger()
    helpers.call_action("dataset_purge", id="reexport")

    assert publish(moderator, consultation)["new_release"] is False
    assert _outputs("reexport") == first
    assert _ledger() == ledger


@pytest.mark.ckan_config("ckanext.consultation.dp.epsilon_per_year", "1.5")
def test_the_ledger_refuses_to_overspend_the_year(moderator, no_jobs, ckan_config):
    publish(moderator, _dp_consultation(moderator, "premiere-annee"))
    second = _dp_consultation(moderator, "seconde-annee")
    message = _refusal(moderator, second)
    assert message.startswith(f"Budget de confidentialité de l'année {dt.date.today().year} "
                              "dépassé")
    assert _ledger(second["id"]) == []
    assert model.Session.query(NoiseDraw).count() == 2   # the first consultation's only
    assert helpers.call_action("package_search", q="name:seconde-annee",
                               include_private=True)["count"] == 0


def test_noise_is_never_drawn_twice_for_a_poll(moderator, no_jobs):
    consultation = _dp_consultation(moderator, "bruit-unique", questions=1)
    publish(moderator, consultation)
    ledger = _ledger()
    # Losing the stored noise does not buy a second draw: the poll's budget is spent.
    model.Session.query(NoiseDraw).delete()
    model.Session.commit()
    helpers.call_action("dataset_purge", id="bruit-unique")
    message = _refusal(moderator, consultation)
    assert message.startswith("Budget de confidentialité dépassé pour la consultation "
                              "bruit-unique")
    assert _ledger() == ledger


def test_no_interim_results_in_differential_privacy_mode(moderator, no_jobs):
    consultation = create_consultation(moderator, "bruit-ouvert", population(),
                                       privacy_mode="differential_privacy", close=False)
    assert "Pas de résultats intermédiaires" in _refusal(moderator, consultation, interim=True)
    assert _ledger() == []
