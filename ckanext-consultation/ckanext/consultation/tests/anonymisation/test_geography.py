"""Rule 4: région > département > commune; a commune shows only with >= 50 respondents."""

from __future__ import annotations

from ckanext.consultation.anonymisation import (
    NOT_PROVIDED,
    default_tables,
    feasible_intervals,
    protect_poll,
)
from ckanext.consultation.anonymisation.release import SECRET

from .attacker import communes_of, published_cells
from .releases import POLICY, counts, default_release, default_view
from .small_polls import answer, poll
from .synthetic_population import TINY_COMMUNES


def _is_pool(code: str) -> bool:
    return code.endswith("-autres") or code == NOT_PROVIDED


def _commune_totals():
    return [
        row
        for row in default_release().table("commune").records()
        if row["niveau"] == "commune" and row["reponse"] == "Ensemble"
    ]


def test_only_communes_with_enough_respondents_are_shown():
    view = default_view()
    shown = [r for r in _commune_totals() if not _is_pool(str(r["code_territoire"]))]
    assert len(shown) > 40
    for row in shown:
        key = (row["code_territoire"], "Ensemble", "Ensemble", "Ensemble")
        assert view.truth[view.position(key)] >= POLICY.min_commune_respondents


def test_small_communes_are_never_visible():
    """Singling out: a commune with 1-3 respondents appears nowhere in the release."""
    release = default_release()
    text = release.to_json() + "".join(t.to_csv() for t in release.tables)
    for code, (name, respondents) in TINY_COMMUNES.items():
        assert 1 <= respondents <= 3
        assert code not in text
        assert name not in text


def test_every_departement_has_its_pool_and_pools_nest_in_it():
    units = communes_of(default_release())
    grid = counts().grid
    assert set(units) == set(grid.departement_codes)
    for departement, codes in units.items():
        pool = [c for c in codes if _is_pool(c)]
        assert len(pool) == 1
        assert all(c[:2] == departement for c in codes if c not in pool)


def test_published_communes_add_up_to_their_departement():
    cells = published_cells(default_release())
    for departement, codes in communes_of(default_release()).items():
        parts = [cells[(c, "Ensemble", "Ensemble", "Ensemble")] for c in codes]
        total = cells[(departement, "Ensemble", "Ensemble", "Ensemble")]
        if total is not None and None not in parts:
            assert total == sum(parts)  # type: ignore[arg-type]


def test_geographic_leftover_attack_fails():
    """Département minus its published communes never gives a secret pool exactly."""
    view = default_view()
    cells = published_cells(default_release())
    secret_pools = [
        key for key, value in cells.items() if value is None and key[0].endswith("-autres")
    ]
    assert secret_pools
    positions = [view.position(k) for k in secret_pools]
    intervals = feasible_intervals(view.knowledge, positions)
    for key, position in zip(secret_pools, positions, strict=True):
        assert intervals[position][0].width >= 1, key
        truth = view.truth[position]
        if 1 <= truth < POLICY.min_cell_count:
            assert intervals[position][0].width >= POLICY.required_interval_width, key


def test_communes_can_be_left_out():
    assert all(t.level != "commune" for t in default_tables(publish_communes=False))
    small = poll([(60, answer("Oui", "25-34", "femme", "57463"))])
    release = protect_poll(small, publish_communes=False)
    assert "commune" not in [t.name for t in release.tables]
    assert all(row["niveau"] != "commune" for t in release.tables for row in t.records())


def test_a_secret_commune_row_says_secret():
    rows = default_release().table("commune").records()
    assert any(r["statut"] == SECRET for r in rows)
