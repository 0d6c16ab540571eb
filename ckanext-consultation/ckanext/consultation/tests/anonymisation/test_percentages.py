"""Rule 8: percentages from protected counts, rounded, secret wherever the count is."""

from __future__ import annotations

import pytest

from ckanext.consultation.anonymisation.percentages import rounded_percentage

from .releases import default_release


@pytest.mark.parametrize(
    ("count", "total", "decimals", "expected"),
    [
        (1, 3, 0, 33),
        (1, 8, 0, 13),  # 12.5 rounds half up
        (1, 8, 1, 12.5),
        (2, 3, 1, 66.7),
        (0, 40, 0, 0),
        (None, 40, 0, None),
        (3, None, 0, None),
        (0, 0, 0, None),
    ],
)
def test_rounded_percentage(count, total, decimals, expected):
    assert rounded_percentage(count, total, decimals) == expected


def _groups(table):
    groups: dict[tuple, dict[str, dict]] = {}
    for row in table.records():
        key = tuple(
            v for c, v in row.items() if c not in ("reponse", "effectif", "pourcentage", "statut")
        )
        groups.setdefault(key, {})[str(row["reponse"])] = row
    return groups


def test_percentages_come_from_published_counts_only():
    for table in default_release().tables:
        for rows in _groups(table).values():
            total = rows["Ensemble"]["effectif"]
            for answer, row in rows.items():
                if answer == "Ensemble" or row["effectif"] is None or total is None or total == 0:
                    assert row["pourcentage"] is None
                else:
                    assert row["pourcentage"] == rounded_percentage(row["effectif"], total)


def test_percentage_times_total_reconstruction_fails():
    """Multiplying percentages by totals only gives back counts already published."""
    recovered = 0
    for table in default_release().tables:
        for rows in _groups(table).values():
            total = rows["Ensemble"]["effectif"]
            for answer, row in rows.items():
                if answer == "Ensemble" or row["pourcentage"] is None:
                    continue
                assert total is not None and row["effectif"] is not None
                low, high = (
                    (row["pourcentage"] - 0.5) * total / 100,
                    (row["pourcentage"] + 0.5) * total / 100,
                )
                assert low <= row["effectif"] <= high
                recovered += 1
    assert recovered > 0
