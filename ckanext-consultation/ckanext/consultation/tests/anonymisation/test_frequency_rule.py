"""Rule 1: a cell (totals included) with 1 <= n < 11 is never published; zeros are."""

from __future__ import annotations

import pytest

from ckanext.consultation.anonymisation import protect_poll
from ckanext.consultation.anonymisation.release import PUBLISHED, SECRET

from .releases import default_release, full_crossing_release
from .small_polls import answer, poll


@pytest.mark.parametrize("release", [default_release, full_crossing_release])
def test_no_published_cell_counts_between_1_and_10(release):
    for table in release().tables:
        for row in table.records():
            if row["statut"] == PUBLISHED:
                assert row["effectif"] == 0 or row["effectif"] >= 11, (table.name, row)


def test_secret_cells_carry_no_value():
    for table in default_release().tables:
        for row in table.records():
            if row["statut"] == SECRET:
                assert row["effectif"] is None
                assert row["pourcentage"] is None


def test_true_zeros_are_published_as_zero():
    zeros = [
        row
        for table in default_release().tables
        for row in table.records()
        if row["effectif"] == 0 and row["statut"] == PUBLISHED
    ]
    assert zeros


def test_a_poll_under_the_threshold_shows_no_count_at_all():
    release = protect_poll(poll([(4, answer("Oui", "25-34", "femme", "57463"))]))
    assert release.participants is None
    assert all(row["effectif"] in (0, None) for t in release.tables for row in t.records())
    assert release.audit is not None and release.audit.passes


def test_totals_are_subject_to_the_rule_too():
    poll_counts = poll(
        [
            (30, answer("Oui", "25-34", "femme", "67482")),
            (30, answer("Non", "35-49", "homme", "67482")),
            (7, answer("Oui", "50-64", "femme", "55545")),
        ]
    )
    rows = protect_poll(poll_counts).table("departement").records()
    meuse = next(r for r in rows if r["code_territoire"] == "55" and r["reponse"] == "Ensemble")
    assert meuse["statut"] == SECRET
