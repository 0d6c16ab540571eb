"""``ckan consultation import FILE --consultation ID``: answers from a CSV or JSON file.

The file is streamed through the action ``consultation_answers_import`` (same checks,
same idempotence, chunked commits): importing a file again adds nothing.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import ckan.plugins.toolkit as tk
import click

from ckanext.consultation.answer_files import FORMATS, AnswerFileError, detect_format, read_rows
from ckanext.consultation.commands import COMMANDS

__all__ = ["import_answers"]


class _ProgressReader(io.RawIOBase):
    """A file that moves a progress bar by the bytes read from it."""

    def __init__(self, raw: IO[bytes], advance):
        self._raw = raw
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        if n:
            self._advance(n)
        return n


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "consultation", required=True,
              help="the consultation's id or name (it must be open)")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default=None,
              help="csv, json or jsonl (default: from the file's extension)")
@click.pass_context
def import_answers(ctx: click.Context, file: Path, consultation: str,
                   file_format: str | None) -> None:
    """Import the answers of FILE (CSV, JSON or JSON Lines) into an open consultation.

    Rows have the fields answer_id, respondent_key, question (position or id), option,
    age_band, sex, commune (INSEE code) or departement. Invalid rows are listed and
    skipped; the exit status is 1 if any row was rejected.
    """
    try:
        file_format = file_format or detect_format(file)
    except AnswerFileError as error:
        raise click.UsageError(str(error)) from None
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    # A request context gives messages the portal's language, as in the web app.
    with ctx.meta["flask_app"].test_request_context(), file.open("rb") as raw, \
            click.progressbar(length=file.stat().st_size, label="Importing answers",
                              file=click.get_text_stream("stderr")) as bar:
        rows = read_rows(io.BufferedReader(_ProgressReader(raw, bar.update)), file_format)
        try:
            result = tk.get_action("consultation_answers_import")(
                {"user": site_user}, {"consultation_id": consultation, "answers": rows})
        except (tk.ObjectNotFound, tk.ValidationError, AnswerFileError) as error:
            raise click.ClickException(_describe(error)) from None
        errors = [_error_line(e) for e in result["errors"]]
    for line in errors:
        click.secho(line, fg="red", err=True)
    if result["errors_truncated"]:
        click.secho(f"… only the first {len(result['errors'])} errors are listed.", fg="red",
                    err=True)
    click.echo(f"{result['received']} answers read: {result['inserted']} imported, "
               f"{result['duplicates']} already there, {result['rejected']} rejected.")
    if result["rejected"]:
        ctx.exit(1)


def _error_line(error: dict) -> str:
    where = f"row {error['row'] + 1}" if error["row"] is not None else "import"
    return f"{where}, {error['field']}: {error['message']}"


def _describe(error: Exception) -> str:
    if isinstance(error, tk.ValidationError):
        return "; ".join(f"{field}: {' '.join(map(str, messages))}"
                         for field, messages in error.error_dict.items())
    if isinstance(error, AnswerFileError):
        return (f"{error} (the chunks of rows completed before it are saved; once the file "
                "is fixed, run the import again: rows already saved are skipped)")
    return str(error) or type(error).__name__


COMMANDS.append(import_answers)
