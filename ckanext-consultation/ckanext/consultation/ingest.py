"""Writing a batch of the citizen app's answers into the private answers table.

Rows are read from any iterable (the API's list, or a file streamed by the CLI), checked
and written chunk by chunk: each chunk is copied into a temporary table with COPY, then
inserted with ``ON CONFLICT DO NOTHING`` and committed. Memory stays at one chunk; an
interrupted import is resumed by sending the same batch again, since answers are keyed
by the app's answer id (a replayed row adds nothing).

Nothing here logs or returns a respondent key or an answer: the report holds counts and
per-row errors (row index, field, message).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.consultation.logic.validators import AnswerRules, CleanAnswer
from ckanext.consultation.model import Consultation, Question

__all__ = ["ImportReport", "import_answers"]

log = logging.getLogger(__name__)

# Session-local scratch table: emptied at each commit, so at the end of every chunk.
_CREATE_CHUNK_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS consultation_answer_chunk (
    row_index integer NOT NULL,
    answer_key text NOT NULL,
    respondent_key text NOT NULL,
    question_id text NOT NULL,
    option text NOT NULL,
    age_band text NOT NULL,
    sex text NOT NULL,
    departement text NOT NULL,
    commune text NOT NULL
) ON COMMIT DELETE ROWS
"""
_COPY_CHUNK = "COPY consultation_answer_chunk FROM STDIN WITH (FORMAT csv)"
# Rows left out by ON CONFLICT, with whether their answer id was already known (a replay)
# or not (the respondent already answered the question under another answer id). The
# outer query sees the table as it was before this statement's inserts. A chunk holds no
# repeats (settled before the copy), so the order of insertion does not matter.
_INSERT_CHUNK = """
WITH inserted AS (
    INSERT INTO consultation_answer (consultation_id, question_id, answer_key,
                                     respondent_key, option, age_band, sex, departement,
                                     commune)
    SELECT %(consultation_id)s, question_id, answer_key, respondent_key, option, age_band,
           sex, departement, commune
    FROM consultation_answer_chunk
    ON CONFLICT DO NOTHING
    RETURNING answer_key
)
SELECT c.row_index,
       EXISTS (SELECT 1 FROM consultation_answer a
               WHERE a.consultation_id = %(consultation_id)s AND a.answer_key = c.answer_key)
FROM consultation_answer_chunk c
LEFT JOIN inserted i ON i.answer_key = c.answer_key
WHERE i.answer_key IS NULL
"""


@dataclass
class ImportReport:
    """What became of a batch. ``errors`` lists at most ``max_errors`` entries;
    ``rejected`` counts every row refused."""

    max_errors: int
    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_truncated: bool = False

    def reject(self, row: int | None, problems: list[tuple[str, str]]) -> None:
        self.rejected += 1
        for field_name, message in problems:
            if len(self.errors) >= self.max_errors:
                self.errors_truncated = True
                return
            self.errors.append({"row": row, "field": field_name, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            # Row order; an error about the whole import (row None) comes last.
            "errors": sorted(self.errors, key=lambda e: (e["row"] is None, e["row"] or 0)),
            "errors_truncated": self.errors_truncated,
        }


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    numbered = enumerate(rows)
    while chunk := list(islice(numbered, size)):
        yield chunk


def _questions(consultation_id: str) -> list[tuple[str, int, list[str]]]:
    rows = (model.Session.query(Question.id, Question.position, Question.options)
            .filter(Question.consultation_id == consultation_id))
    return [(qid, position, list(options)) for qid, position, options in rows]


def _still_open(consultation_id: str) -> bool:
    """Whether answers may still come in; holds a share lock on the consultation until the
    chunk is committed, so that closing waits for it and no answer lands after closing."""
    status = (model.Session.query(Consultation.status)
              .filter(Consultation.id == consultation_id)
              .with_for_update(read=True).scalar())
    return status == "open"


def import_answers(consultation_id: str, rows: Iterable[Any], chunk_size: int,
                   max_errors: int) -> ImportReport:
    """Check and store a batch of answers of one (open) consultation.

    :param consultation_id: the consultation's id (not its name)
    :param rows: answer rows (mappings), streamed
    :param chunk_size: rows per round trip and per commit
    :param max_errors: how many row errors the report lists
    """
    report = ImportReport(max_errors=max_errors)
    rules = AnswerRules(_questions(consultation_id))
    closed = False
    try:
        for chunk in _chunks(rows, chunk_size):
            report.received += len(chunk)
            if closed or not _still_open(consultation_id):
                closed = True
                report.rejected += len(chunk)
                continue
            _write_chunk(consultation_id, chunk, rules, report)
            model.Session.commit()
    except Exception:
        # A stream that breaks (a malformed file) or a database error: the chunk in
        # progress is dropped, the committed ones stay (a replay skips them).
        model.Session.rollback()
        raise
    if closed:
        model.Session.rollback()
        report.errors.append({"row": None, "field": "consultation_id", "message": tk._(
            "The consultation closed during the import: the remaining answers were not saved"
        )})
    log.info("consultation %s: %d answers received, %d inserted, %d duplicates, %d rejected",
             consultation_id, report.received, report.inserted, report.duplicates,
             report.rejected)
    return report


def _write_chunk(consultation_id: str, chunk: list[tuple[int, Any]], rules: AnswerRules,
                 report: ImportReport) -> None:
    valid: list[tuple[int, CleanAnswer]] = []
    # Repeats inside one chunk are settled here; repeats of rows committed earlier (other
    # chunks, other batches) are settled by the database's unique constraints.
    seen_answers: set[str] = set()
    seen_respondents: set[tuple[str, str]] = set()
    for index, row in chunk:
        answer, problems = rules.check(row)
        if answer is None:
            report.reject(index, problems)
        elif answer.answer_key in seen_answers:
            report.duplicates += 1
        elif (answer.question_id, answer.respondent_key) in seen_respondents:
            report.reject(index, [("respondent_key", _already_answered())])
        else:
            seen_answers.add(answer.answer_key)
            seen_respondents.add((answer.question_id, answer.respondent_key))
            valid.append((index, answer))
    if not valid:
        return

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows((index, *answer) for index, answer in valid)
    buffer.seek(0)

    connection = model.Session.connection().connection.dbapi_connection
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_CHUNK_TABLE)
        cursor.copy_expert(_COPY_CHUNK, buffer)
        cursor.execute(_INSERT_CHUNK, {"consultation_id": consultation_id})
        left_out = cursor.fetchall()
    report.inserted += len(valid) - len(left_out)
    for index, replayed in sorted(left_out):
        if replayed:
            report.duplicates += 1
        else:
            report.reject(index, [("respondent_key", _already_answered())])


def _already_answered() -> str:
    return tk._("This respondent already answered this question (under another answer id)")
