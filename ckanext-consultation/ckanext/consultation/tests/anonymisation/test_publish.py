"""The entry point: one call from counts to the tables, note and participant count."""

from __future__ import annotations

from ckanext.consultation.anonymisation import PollCounts, default_tables, protect_poll
from ckanext.consultation.anonymisation.release import SECRET

from .releases import counts, default_release, full_crossing_release
from .synthetic_population import synthetic_grid


def test_default_tables():
    names = [t.name for t in default_release().tables]
    assert names == [
        "ensemble",
        "departement",
        "commune",
        "age",
        "sexe",
        "age_sexe",
        "departement_age",
        "departement_sexe",
    ]
    assert default_release().table("commune").columns[:4] == (
        "niveau",
        "code_territoire",
        "territoire",
        "code_departement",
    )
    assert default_release().table("age_sexe").columns[3:5] == ("tranche_age", "sexe")


def test_every_allowed_crossing_is_available_on_request():
    release = full_crossing_release()
    assert "departement_age_sexe" in [t.name for t in release.tables]
    assert release.audit is not None and release.audit.passes


def test_participants_and_methodology():
    release = default_release()
    assert release.participants == counts().total
    methodology = release.methodology
    text = methodology.text()
    for words in ("Règle de fréquence", "Homogénéité", "Secret secondaire", "autres communes"):
        assert words in text
    secret_cells = {
        (r["code_territoire"], r.get("tranche_age"), r.get("sexe"), r["reponse"])
        for t in release.tables
        for r in t.records()
        if r["statut"] == SECRET
    }
    assert methodology.cells_suppressed > 0
    assert methodology.cells_suppressed >= len({(c[0], c[3]) for c in secret_cells}) // 10
    assert f"{methodology.cells_suppressed_frequency} masquées" in text
    assert methodology.communes_shown and methodology.communes_shown > 40


def test_an_empty_poll_publishes_zeros():
    release = protect_poll(PollCounts.zeros(synthetic_grid()))
    assert release.participants == 0
    assert all(r["effectif"] == 0 for t in release.tables for r in t.records())


def test_the_table_set_is_a_parameter():
    tables = default_tables(publish_communes=False)[:2]
    release = protect_poll(counts(), tables=tables)
    assert [t.name for t in release.tables] == ["ensemble", "departement"]
