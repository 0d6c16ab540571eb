"""Rule 5: at most two demographic variables, crossed at département level or coarser."""

from __future__ import annotations

import pytest

from ckanext.consultation.anonymisation import (
    DimensionRefused,
    Policy,
    TableSpec,
    check_tables,
    default_tables,
    protect_poll,
)

from .releases import counts


def test_every_default_table_is_within_the_policy():
    assert check_tables(default_tables(departement_age_sex=True), Policy())


def test_a_commune_crossed_with_demographics_is_refused_in_french():
    with pytest.raises(DimensionRefused, match="niveau communal"):
        check_tables([TableSpec("commune_age", "commune", ("age_band",))], Policy())


def test_more_variables_than_the_policy_allows_are_refused():
    policy = Policy(max_crossed_variables=1)
    with pytest.raises(DimensionRefused, match="au plus 1"):
        check_tables([TableSpec("age_sexe", "region", ("age_band", "sex"))], policy)


def test_unknown_variables_and_duplicate_names_are_refused():
    with pytest.raises(DimensionRefused):
        check_tables([TableSpec("csp", "region", ("occupation",))], Policy())
    with pytest.raises(DimensionRefused):
        check_tables([TableSpec("t", "region"), TableSpec("t", "departement")], Policy())


def test_the_engine_refuses_before_computing_anything():
    with pytest.raises(DimensionRefused):
        protect_poll(counts(), tables=[TableSpec("x", "commune", ("sex",))])


def test_titles_are_french():
    titles = {t.name: t.title for t in default_tables(departement_age_sex=True)}
    assert titles["ensemble"] == "Résultats d'ensemble"
    assert titles["departement_age_sexe"] == "Résultats par département, tranche d'âge et sexe"
