"""Chart data of the consultation pages, read from a published release's JSON.

The pages never touch answers: they read the ``consultation_release`` row of a question,
the very document published as the JSON resource (``ProtectedRelease.to_json``), and
turn four of its tables into chart data: overall, by département, by age band, by sex.
A secret cell stays secret: its value is ``None`` in the chart and "secret" in the data
table. The secret cells of a group are only ever shown together, as one "secret" segment
worth the group's total minus its published cells - a figure anyone can compute from
the published table, which the protection keeps from isolating any one cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOTAL = "Ensemble"
SECRET = "secret"

# (table name in the release, column holding the groups): the charts of a question, in
# page order. Their titles are the templates' (translated).
CHARTED_TABLES: tuple[tuple[str, str | None], ...] = (
    ("ensemble", None),
    ("departement", "territoire"),
    ("age", "tranche_age"),
    ("sexe", "sexe"),
)


@dataclass(frozen=True)
class Cell:
    """One published answer count of a group: ``count`` and ``percentage`` are None
    when the cell is secret."""

    count: int | None
    percentage: float | None

    @property
    def secret(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Group:
    """A row of a chart: a département, an age band, a sex (or the whole poll)."""

    label: str
    cells: tuple[Cell, ...]
    """One per answer option, in option order."""
    total: Cell

    @property
    def secret_share(self) -> float | None:
        """The share of the group's answers in its secret cells, together (the group's
        total minus its published cells, as anyone can compute): what a chart shows as
        one "secret" segment. None when no cell is secret or the total is secret."""
        if self.total.count is None or not self.total.count:
            return None
        hidden = [c for c in self.cells if c.secret]
        if not hidden:
            return None
        published = sum(c.count for c in self.cells if not c.secret)  # type: ignore[misc]
        return round(100 * (self.total.count - published) / self.total.count, 1)


@dataclass(frozen=True)
class Chart:
    """What one chart and its data table show."""

    name: str
    options: tuple[str, ...]
    groups: tuple[Group, ...]
    grouped: bool
    """False for the overall results (one group, drawn as one bar per option)."""

    def as_json(self) -> dict[str, Any]:
        """The chart's data as embedded in the page for the charting script."""
        return {
            "name": self.name,
            "grouped": self.grouped,
            "options": list(self.options),
            "groups": [g.label for g in self.groups],
            "counts": [[c.count for c in g.cells] for g in self.groups],
            "percentages": [[c.percentage for c in g.cells] for g in self.groups],
            "secret": [g.secret_share for g in self.groups],
        }


def release_charts(document: Mapping[str, Any]) -> list[Chart]:
    """The charts of one question's release document (``{"tableaux": [...]}``)."""
    tables = {t["nom"]: t for t in document.get("tableaux", [])}
    charts = []
    for name, group_column in CHARTED_TABLES:
        table = tables.get(name)
        if table is not None:
            charts.append(_chart(name, table["lignes"], group_column))
    return charts


def _chart(name: str, rows: Sequence[Mapping[str, Any]], group_column: str | None) -> Chart:
    # The département table also holds the région's row: the overall chart shows it.
    if group_column == "territoire":
        rows = [r for r in rows if r["niveau"] != "région"]
    elif group_column is not None:
        rows = [r for r in rows if r[group_column] != TOTAL]
    options: list[str] = []
    by_group: dict[str, dict[str, Cell]] = {}
    for row in rows:
        label = str(row[group_column]) if group_column else str(row["territoire"])
        answer = str(row["reponse"])
        if answer != TOTAL and answer not in options:
            options.append(answer)
        by_group.setdefault(label, {})[answer] = Cell(row["effectif"], row["pourcentage"])
    missing = Cell(None, None)
    groups = tuple(
        Group(
            label,
            tuple(cells.get(option, missing) for option in options),
            cells.get(TOTAL, missing),
        )
        for label, cells in by_group.items()
    )
    return Chart(name, tuple(options), groups, grouped=group_column is not None)


def participants(document: Mapping[str, Any]) -> int | None:
    """The protected participant count of a release (None when it is secret)."""
    value = document.get("participants")
    return int(value) if value is not None else None


def methodology_text(document: Mapping[str, Any]) -> list[str]:
    """The French methodology note of a release, one paragraph per item."""
    text = (document.get("methodologie") or {}).get("texte") or ""
    return [line for line in text.split("\n") if line.strip()]
