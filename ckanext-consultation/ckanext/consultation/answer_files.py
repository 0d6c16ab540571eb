"""Answer files (CSV, JSON, JSON Lines) read as a stream of rows for the answers import.

The rows have the fields of ``consultation_answers_import``: answer_id, respondent_key,
question, option, age_band, sex, commune, departement. Files are never read whole:
CSV and JSON Lines line by line, JSON with an incremental parser (ijson), so a file of
millions of answers costs the memory of one import chunk.

- CSV: a header line naming the fields; separator ``,``, ``;`` or tab (detected from
  the header); UTF-8, with or without a byte-order mark; empty cells are missing values.
- JSON: an array of answer objects, or an object whose ``answers`` member is one (the
  body of an API call).
- JSON Lines: one answer object per line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson

__all__ = ["FORMATS", "AnswerFileError", "detect_format", "read_rows"]

FORMATS = ("csv", "json", "jsonl")
_SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SEPARATORS = (",", ";", "\t")
_BOM = b"\xef\xbb\xbf"


class AnswerFileError(ValueError):
    """The file cannot be read as answers (its layout, not one row)."""


def detect_format(path: Path) -> str:
    """The format a file's name announces (``csv``, ``json`` or ``jsonl``)."""
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise AnswerFileError(
            f"Unknown file type {path.suffix or '(none)'}: use .csv, .json or .jsonl "
            "(or --format)")
    return found


def read_rows(stream: IO[bytes], file_format: str) -> Iterator[Any]:
    """The rows of a binary stream, one at a time."""
    readers = {"csv": _csv_rows, "json": _json_rows, "jsonl": _jsonl_rows}
    return readers[file_format](stream)


def _text(stream: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def _csv_rows(stream: IO[bytes]) -> Iterator[dict[str, str]]:
    text = _text(stream)
    header = text.readline()
    if not header.strip():
        raise AnswerFileError("The CSV file is empty: a header line is expected")
    separator = max(_SEPARATORS, key=header.count)
    fields = next(csv.reader([header], delimiter=separator))
    fields = [name.strip() for name in fields]
    for values in csv.reader(text, delimiter=separator):
        if not any(value.strip() for value in values):
            continue
        yield {name: value for name, value in zip(fields, values, strict=False) if value != ""}


def _json_rows(stream: IO[bytes]) -> Iterator[Any]:
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
    if buffered.peek(3)[:3] == _BOM:
        buffered.read(3)
    start = buffered.peek(64).lstrip(b" \t\r\n")[:1]
    if start == b"[":
        prefix = "item"
    elif start == b"{":
        prefix = "answers.item"
    else:
        raise AnswerFileError(
            "A JSON answer file holds an array of answers, or an object with \"answers\"")
    try:
        yield from ijson.items(buffered, prefix, use_float=True)
    except ijson.JSONError as error:
        raise AnswerFileError(f"Malformed JSON: {error}") from None


def _jsonl_rows(stream: IO[bytes]) -> Iterator[Any]:
    for number, line in enumerate(_text(stream), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as error:
            raise AnswerFileError(f"Malformed JSON on line {number}: {error}") from None
