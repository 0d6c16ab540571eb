"""Answers import benchmark: the citizen app's batches and the CLI's files, against a bare COPY.

    bash scripts/bench.sh consultation_ingest [--rows 100000]

1. A batch of 10,000 answers sent to ``consultation_answers_import`` (as the app's user),
   then the same batch again (the idempotent replay).
2. A CSV file of ``--rows`` answers imported by ``ckan consultation import`` (the same
   action, streamed from the file), with the peak Python memory of the import.
3. The floors: the same CSV file copied with PostgreSQL's ``COPY`` into a bare table (no
   checks, no constraints), then inserted by SQL alone into a table with the answers
   table's unique indexes and foreign keys.

In-process, against the real PostgreSQL of the test configuration, whose database this
resets. Results are printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import portal
from results import write_section

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Consultation: answers import"
BATCH = 10_000
COLUMNS = ("answer_id", "respondent_key", "question", "option", "age_band", "sex", "commune")


def _reset_portal() -> tuple[str, str]:
    """An emptied portal with the app's user and one open consultation: (app user, id)."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories

    portal.reset()
    app = factories.User(name=tk.config["ckanext.consultation.app_user"])
    sysadmin = factories.Sysadmin()["name"]
    created = tk.get_action("consultation_create")(
        {"user": sysadmin},
        {"title": "Banc d'essai", "questions": [
            {"text": "Oui ou non ?", "options": ["Oui", "Non", "Sans avis"]},
            {"text": "Et encore ?", "options": ["Oui", "Non"]}]})
    tk.get_action("consultation_open")({"user": sysadmin}, {"id": created["id"]})
    return app["name"], created["id"]


def _rows(start: int, count: int):
    """Answers with realistic demographics over a thousand Grand Est communes."""
    from ckanext.consultation.logic.validators import commune_departements

    communes = sorted(commune_departements())[::5][:1000]
    ages = ("15-24", "25-34", "35-49", "50-64", "65+", "")
    for n in range(start, start + count):
        yield {"answer_id": f"bench-{n}", "respondent_key": f"respondent-{n // 2}",
               "question": 1 + n % 2, "option": ("Oui", "Non")[n % 7 % 2],
               "age_band": ages[n % 6], "sex": ("femme", "homme", "")[n % 3],
               "commune": communes[n % len(communes)]}


def _batch(app_user: str, consultation_id: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    rows = list(_rows(0, BATCH))
    started = time.perf_counter()
    first = tk.get_action("consultation_answers_import")(
        {"user": app_user}, {"consultation_id": consultation_id, "answers": rows})
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = tk.get_action("consultation_answers_import")(
        {"user": app_user}, {"consultation_id": consultation_id, "answers": rows})
    return {"first": (first_s, first["inserted"]),
            "again": (time.perf_counter() - started, again["duplicates"])}


def _csv_file(path: Path, start: int, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(_rows(start, count))
    return path


def _file_import(path: Path, app_user: str, consultation_id: str) -> dict[str, Any]:
    """What ``ckan consultation import`` runs: the file streamed through the action."""
    import ckan.plugins.toolkit as tk

    from ckanext.consultation.answer_files import read_rows

    with path.open("rb") as f:
        return tk.get_action("consultation_answers_import")(
            {"user": app_user},
            {"consultation_id": consultation_id, "answers": read_rows(f, "csv")})


def _cli(path: Path, consultation_id: str) -> tuple[float, str]:
    """Wall time (CKAN's start-up included) and summary line of the real command."""
    from ckan.cli.cli import ckan as ckan_cli
    from ckan.tests.helpers import CKANCliRunner

    runner = CKANCliRunner(env={"CKAN_INI": os.environ["CKAN_INI"]})
    started = time.perf_counter()
    result = runner.invoke(ckan_cli, ["consultation", "import", str(path),
                                      "--consultation", consultation_id])
    return time.perf_counter() - started, result.output.strip().splitlines()[-1]


def _floors(path: Path, consultation_id: str) -> tuple[float, float]:
    """The database's share: the file copied into a bare table (no checks at all), then
    its rows inserted into a table built like the answers table, with the same unique
    indexes and foreign keys (the cost of the constraints alone, no Python)."""
    from ckan import model

    connection = model.meta.engine.raw_connection()
    try:
        with connection.cursor() as cursor, path.open(encoding="utf-8") as f:
            cursor.execute("CREATE TEMP TABLE bench_copy (" +
                           ", ".join(f"{c} text" for c in COLUMNS) + ")")
            # A real table: temporary ones cannot hold foreign keys to real ones.
            cursor.execute("CREATE TABLE bench_answer (LIKE consultation_answer INCLUDING ALL)")
            for column, target in (("consultation_id", "consultation"),
                                   ("question_id", "consultation_question")):
                cursor.execute(f"ALTER TABLE bench_answer ADD FOREIGN KEY ({column}) "
                               f"REFERENCES {target} (id)")
            connection.commit()
            started = time.perf_counter()
            cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)", f)
            connection.commit()
            copy_s = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_answer (consultation_id, question_id, answer_key, "
                "respondent_key, option, age_band, sex, commune) "
                "SELECT %(id)s, q.id, answer_id, respondent_key, option, "
                "coalesce(age_band, 'non renseigné'), coalesce(sex, 'non renseigné'), commune "
                "FROM bench_copy JOIN consultation_question q "
                "ON q.consultation_id = %(id)s AND q.position = question::int "
                "ON CONFLICT DO NOTHING", {"id": consultation_id})
            connection.commit()
            constrained_s = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_answer")
            connection.commit()
            return copy_s, constrained_s
    finally:
        connection.close()


def run(rows: int) -> dict[str, Any]:
    app_user, consultation_id = _reset_portal()
    results: dict[str, Any] = {"rows": rows, "load": os.getloadavg()[0]}
    results["batch"] = _batch(app_user, consultation_id)
    with tempfile.TemporaryDirectory() as folder:
        timed = _csv_file(Path(folder) / "timed.csv", BATCH, rows)
        results["file_mib"] = timed.stat().st_size / 2**20
        started = time.perf_counter()
        inserted = _file_import(timed, app_user, consultation_id)["inserted"]
        results["file"] = (time.perf_counter() - started, inserted)
        # Peak memory on other new rows (tracemalloc would slow the timed run down).
        traced = _csv_file(Path(folder) / "traced.csv", BATCH + rows, rows)
        tracemalloc.start()
        _file_import(traced, app_user, consultation_id)
        results["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        results["cli"] = _cli(timed, consultation_id)
        results["copy"], results["constrained"] = _floors(timed, consultation_id)
    return results


def report(results: dict[str, Any]) -> str:
    rows = results["rows"]
    first_s, inserted = results["batch"]["first"]
    again_s, duplicates = results["batch"]["again"]
    file_s, file_inserted = results["file"]
    cli_s, summary = results["cli"]
    copy_s, constrained_s = results["copy"], results["constrained"]
    return "\n".join([
        SECTION,
        "",
        f"Run on {dt.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {results['load']:.1f} at the "
        "start; PostgreSQL 15 of the test setup; chunks of 5,000 rows "
        "(`ckanext.consultation.import.chunk_size`).",
        "",
        "| import | rows | time (s) | rows/s |",
        "|---|---:|---:|---:|",
        f"| API batch (`consultation_answers_import`), first | {inserted:,} inserted | "
        f"{first_s:.2f} | {BATCH / first_s:,.0f} |",
        f"| the same batch replayed | {duplicates:,} duplicates | {again_s:.2f} | "
        f"{BATCH / again_s:,.0f} |",
        f"| CSV file of {results['file_mib']:.1f} MiB streamed through the action (what "
        f"`ckan consultation import` runs) | {file_inserted:,} inserted | {file_s:.2f} | "
        f"{rows / file_s:,.0f} |",
        f"| the same file replayed by `ckan consultation import` (CKAN start-up included) | "
        f"{rows:,} read | {cli_s:.2f} | {rows / cli_s:,.0f} |",
        f"| floor: bare `COPY` of the same file, no checks | {rows:,} | {copy_s:.2f} | "
        f"{rows / copy_s:,.0f} |",
        f"| floor: its rows inserted in SQL alone into a table with the answers' unique "
        f"indexes and foreign keys | {rows:,} | {constrained_s:.2f} | "
        f"{rows / constrained_s:,.0f} |",
        "",
        f"- The command's summary: `{summary}`",
        f"- Peak Python memory of a {rows:,}-row file import: **{results['peak_mib']:.1f} "
        "MiB** (rows are streamed and written chunk by chunk; the file is never held whole).",
        f"- The checked, idempotent import takes **{file_s / constrained_s:.1f}×** the time "
        "PostgreSQL alone needs to insert the same rows under the same constraints (the "
        "rest: reading, checking each row, the COPY into a scratch table, the replay "
        "bookkeeping).",
        "",
        "Reproduce: `bash scripts/bench.sh consultation_ingest --rows 100000` (it starts the "
        "services, and resets the test database).",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    args = parser.parse_args(argv)

    os.environ.setdefault("CKAN_INI", args.ini)
    app = portal.load_app(args.ini)
    with app._wsgi_app.test_request_context():
        results = run(args.rows)
    section = report(results)
    print(section)
    write_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
