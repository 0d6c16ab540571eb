"""What is published: tables as rows ready for CSV, JSON and the DataStore.

Rows carry category labels and counts only: no ids, no hashes, no timestamps, and a
fixed order (the grid's), so two exports of the same release are byte-identical and
nothing in the layout depends on who answered first. A secret cell has no value: its
count and percentage are empty and its status is "secret".
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import numpy as np

from .audit import AuditReport
from .dimensions import TableSpec
from .linked_tables import TOTAL, LinkedTables
from .methodology import Methodology
from .percentages import rounded_percentage
from .tables import TOTAL_LABEL

PUBLISHED = "publié"
SECRET = "secret"
LEVEL_LABELS = {"region": "région", "departement": "département", "commune": "commune"}

Value = str | int | float | None


@dataclass(frozen=True)
class PublishedTable:
    """One table of a release."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if v is None else v for v in row] for row in self.rows)
        return buffer.getvalue()


@dataclass(frozen=True)
class ProtectedRelease:
    """Every publishable table of one poll question, with its methodology note."""

    tables: tuple[PublishedTable, ...]
    methodology: Methodology
    participants: int | None
    """The protected participant count (None if the whole poll is under the threshold)."""
    audit: AuditReport | None = field(default=None, compare=False, repr=False)
    """The suppression audit, for the record; never part of the publication."""

    def table(self, name: str) -> PublishedTable:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def to_json(self) -> str:
        """The whole publication as JSON, byte-identical for the same release."""
        document = {
            "participants": self.participants,
            "methodologie": self.methodology.as_dict(),
            "tableaux": [
                {
                    "nom": t.name,
                    "titre": t.title,
                    "colonnes": list(t.columns),
                    "lignes": t.records(),
                }
                for t in self.tables
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=1)


def build_tables(
    tables: LinkedTables, shown: np.ndarray, percentage_decimals: int
) -> tuple[PublishedTable, ...]:
    """Rows of every table; ``shown`` says which cells' values may be published."""
    out = []
    for spec in tables.specs:
        columns = ["niveau", "code_territoire", "territoire"]
        if spec.level == "commune":
            columns.append("code_departement")
        if "age_band" in spec.variables:
            columns.append("tranche_age")
        if "sex" in spec.variables:
            columns.append("sexe")
        columns += ["reponse", "effectif", "pourcentage", "statut"]
        rows = [
            _row(tables, shown, cell, spec, percentage_decimals)
            for cell in tables.table_cells[spec.name]
        ]
        out.append(PublishedTable(spec.name, spec.title, tuple(columns), tuple(rows)))
    return tuple(out)


def _row(
    tables: LinkedTables, shown: np.ndarray, cell: int, spec: TableSpec, decimals: int
) -> tuple[Value, ...]:
    key = tables.keys[cell]
    territory = tables.territories[key.territory]
    grid = tables.grid
    row: list[Value] = [LEVEL_LABELS[territory.level], territory.code, territory.label]
    if spec.level == "commune":
        row.append(
            grid.departement_codes[territory.departement] if territory.departement >= 0 else ""
        )
    if "age_band" in spec.variables:
        row.append(TOTAL_LABEL if key.age_band == TOTAL else grid.age_bands[key.age_band])
    if "sex" in spec.variables:
        row.append(TOTAL_LABEL if key.sex == TOTAL else grid.sexes[key.sex])
    count = int(tables.values[cell]) if shown[cell] else None
    percentage = None
    if key.option != TOTAL:
        group = tables.index[key._replace(option=TOTAL)]
        total = int(tables.values[group]) if shown[group] else None
        percentage = rounded_percentage(count, total, decimals)
    row += [
        TOTAL_LABEL if key.option == TOTAL else grid.options[key.option],
        count,
        percentage,
        PUBLISHED if shown[cell] else SECRET,
    ]
    return tuple(row)
