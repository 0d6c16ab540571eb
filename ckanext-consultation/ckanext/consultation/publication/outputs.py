"""The files and DataStore tables of a consultation dataset, built in memory.

Results: one CSV per table of the release (every question stacked, ``question``
first), each also loaded into the DataStore with typed fields, and one JSON document
with everything (the methodology notes included). Follow-up: one CSV and DataStore
table of the referents' entries. Nothing here depends on when it is built: the same
release gives the same bytes, so a re-export is identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ckanext.consultation.model import Consultation, FollowUp

from .releases import FINAL, ConsultationRelease

__all__ = ["FOLLOWUP", "RESULTS_JSON", "DatastoreTable", "Output", "followup_output",
           "results_outputs"]

RESULTS_JSON = "resultats"
FOLLOWUP = "suivi"
MIMETYPES = {"CSV": "text/csv", "JSON": "application/json"}
PRIVACY_LABELS = {"suppression": "secret statistique",
                  "differential_privacy": "confidentialité différentielle"}


@cache
def _columns() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).parent / "columns.yaml").read_text("utf-8"))


@dataclass(frozen=True)
class DatastoreTable:
    """A DataStore table: typed fields with their data dictionary, and its rows."""

    fields: tuple[dict[str, Any], ...]
    records: tuple[dict[str, Any], ...]

    @property
    def column_ids(self) -> tuple[str, ...]:
        return tuple(f["id"] for f in self.fields)


@dataclass(frozen=True)
class Output:
    """One resource of the dataset: its metadata, its file, and maybe its DataStore table."""

    table: str
    """The resource's ``consultation_table``: which output it is, across publications."""
    name: str
    description: str
    format: str
    filename: str
    content: bytes = field(repr=False)
    datastore: DatastoreTable | None = field(default=None, repr=False)

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.format]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def results_outputs(release: ConsultationRelease) -> list[Output]:
    """Every results table as CSV + DataStore, then the whole release as JSON."""
    consultation = release.consultation
    first = release.questions[0].release
    outputs = []
    for table in first.tables:
        columns = ("question", "intitule_question", *table.columns)
        rows = [
            (question.number, question.question.text, *row)
            for question in release.questions
            for row in question.release.table(table.name).rows
        ]
        outputs.append(Output(
            table=table.name,
            name=f"{table.title} (CSV)",
            description=(
                f"{table.title} de la consultation, une ligne par question, territoire, "
                "catégorie et réponse (« Ensemble » pour les totaux). Une case masquée par "
                "la protection a le statut « secret » et un effectif vide. Également "
                "interrogeable par l'API DataStore."),
            format="CSV",
            filename=f"{consultation.name}-{table.name}.csv",
            content=_csv(columns, rows),
            datastore=_datastore("results", columns, rows),
        ))
    outputs.append(Output(
        table=RESULTS_JSON,
        name="Résultats complets (JSON)",
        description=("Tous les tableaux de la consultation, question par question, avec la "
                     "note méthodologique de chacune."),
        format="JSON",
        filename=f"{consultation.name}-resultats.json",
        content=_json(results_document(release)),
    ))
    return outputs


def results_document(release: ConsultationRelease) -> dict[str, Any]:
    """The JSON resource: the consultation, then each question's published release."""
    consultation = release.consultation
    return {
        "consultation": {
            "nom": consultation.name,
            "titre": consultation.title,
            "ouverture": _iso(consultation.opens_on),
            "cloture": _iso(consultation.closes_on),
            "territoire": consultation.territory,
            "theme": consultation.theme,
            "version": "définitive" if release.kind == FINAL else "intermédiaire",
            "protection": PRIVACY_LABELS[consultation.privacy_mode],
            "epsilon": release.epsilon,
        },
        "questions": [
            {"numero": q.number, "intitule": q.question.text,
             "reponses": list(q.question.options), **q.document}
            for q in release.questions
        ],
    }


def followup_output(consultation: Consultation, entries: Iterable[FollowUp]) -> Output:
    """The follow-up entries, oldest first, as CSV + DataStore."""
    statuses = _columns()["followup_statuses"]
    columns = ("date", "statut", "avancement", "decision", "liens")
    rows = [
        (entry.date.isoformat(), statuses.get(entry.status, entry.status), entry.progress,
         entry.decision, " ; ".join(_link(link) for link in entry.links or ()))
        for entry in sorted(entries, key=lambda e: (e.date, e.created, e.id))
    ]
    return Output(
        table=FOLLOWUP,
        name="Suivi de la consultation (CSV)",
        description=("Ce que la Région a fait des résultats : une ligne par étape (date, "
                     "statut, avancement, décision, liens), mise à jour à chaque nouvelle "
                     "étape. Également interrogeable par l'API DataStore."),
        format="CSV",
        filename=f"{consultation.name}-suivi.csv",
        content=_csv(columns, rows),
        datastore=_datastore("followup", columns, rows),
    )


def _link(link: Any) -> str:
    if isinstance(link, dict):
        title, url = link.get("title") or "", link.get("url") or ""
        return f"{title} <{url}>" if title else url
    return str(link)


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _json(document: dict[str, Any]) -> bytes:
    # Not indented: the C encoder then writes a large poll's document in a blink.
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")


def _datastore(kind: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
               ) -> DatastoreTable:
    described = _columns()[kind]
    fields = []
    for column in columns:
        spec = described.get(column, {})
        info = {"label": spec.get("label", column)}
        if spec.get("notes"):
            info["notes"] = spec["notes"]
        fields.append({"id": column, "type": spec.get("type", "text"), "info": info})
    records = tuple(dict(zip(columns, row, strict=True)) for row in rows)
    return DatastoreTable(tuple(fields), records)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
