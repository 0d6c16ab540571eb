"""Rule 3: a group under 50 respondents answering >= 90 % the same shows its total only."""

from __future__ import annotations

from ckanext.consultation.anonymisation import TableSpec, feasible_intervals, protect_poll
from ckanext.consultation.anonymisation.publish import protect_cells
from ckanext.consultation.anonymisation.release import PUBLISHED, SECRET
from ckanext.consultation.anonymisation.suppression import Reason

from .releases import POLICY, default_release, default_view
from .small_polls import answer, poll
from .synthetic_population import HOMOGENEOUS_GROUP


def _group_rows(release, departement, age):
    return [
        r
        for r in release.table("departement_age").records()
        if r["code_territoire"] == departement and r["tranche_age"] == age
    ]


def test_the_synthetic_group_is_small_and_homogeneous():
    departement, age = HOMOGENEOUS_GROUP
    view = default_view()
    group = view.truth[view.position((departement, age, "Ensemble", "Ensemble"))]
    yes = view.truth[view.position((departement, age, "Ensemble", "Oui"))]
    assert 11 <= group < 50
    assert yes >= 0.9 * group


def test_only_the_group_total_is_published():
    rows = _group_rows(default_release(), *HOMOGENEOUS_GROUP)
    total = [r for r in rows if r["reponse"] == "Ensemble"]
    answers = [r for r in rows if r["reponse"] != "Ensemble"]
    assert total[0]["statut"] == PUBLISHED
    assert {r["statut"] for r in answers} == {SECRET}


def test_homogeneous_group_inference_fails():
    """From everything published, the attacker cannot establish the 90 % majority."""
    departement, age = HOMOGENEOUS_GROUP
    view = default_view()
    group = view.truth[view.position((departement, age, "Ensemble", "Ensemble"))]
    yes = view.position((departement, age, "Ensemble", "Oui"))
    interval, _ = feasible_intervals(view.knowledge, [yes])[yes]
    assert interval.lower < 0.9 * group
    assert interval.width >= 10


def test_a_large_unanimous_group_is_published():
    poll_counts = poll([(60, answer("Oui", "25-34", "femme", "57463"))])
    rows = protect_poll(poll_counts).table("ensemble").records()
    assert [r["effectif"] for r in rows] == [60, 0, 0, 0, 60]


def test_a_small_unanimous_group_inside_a_large_poll_is_hidden():
    poll_counts = poll(
        [
            (40, answer("Oui", "25-34", "femme", "57463")),
            (40, answer("Non", "25-34", "homme", "57463")),
            (40, answer("Plutôt oui", "35-49", "femme", "57463")),
            (40, answer("Plutôt non", "35-49", "homme", "57463")),
            (19, answer("Oui", "65+", "femme", "57463")),
            (1, answer("Non", "65+", "femme", "57463")),
        ]
    )
    cells = protect_cells(poll_counts, POLICY, [TableSpec("age", "region", ("age_band",))])
    assert Reason.HOMOGENEITY in cells.suppression.reasons.values()
    release = protect_poll(poll_counts, tables=[TableSpec("age", "region", ("age_band",))])
    rows = [r for r in release.table("age").records() if r["tranche_age"] == "65+"]
    assert [r["statut"] for r in rows[:4]] == [SECRET] * 4
    assert release.audit is not None and release.audit.passes
