"""Consultation publication benchmark: a 1,000,000-answer poll, against a bare GROUP BY.

    bash scripts/bench.sh consultation [--answers 1000000]

1. The test database is reset; a closed consultation with one question gets N answers,
   generated (fixed seed) over every commune of Grand Est in proportion to its
   population, with age, sex and answers that vary together, a few answers without
   commune or département. They are written with COPY, straight into the answers table.
2. The floor: the bare PostgreSQL ``GROUP BY`` over the same rows, every row fetched; its
   fastest run, plain or through a server-side cursor, before and after the publication.
3. The publication, in a fresh process (so that its peak memory is its own): the GROUP
   BY, the anonymisation engine, the CSV/JSON files, the DataStore tables and the
   dataset, exactly as the jobs worker runs it (``publish_consultation``). Its wall time
   and the process's peak resident memory (``ru_maxrss``) are measured; then the same
   process times the aggregation and the engine alone, to show where the time goes.

Results are printed and written to docs/benchmarks.md (their own section).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import portal
from results import write_section

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Consultation: publishing a 1,000,000-answer poll vs a bare GROUP BY"
NAME = "bench-consultation"
SEED = 20_261_126
CHUNK = 100_000


def _reset_portal() -> dict[str, Any]:
    from ckan.tests import factories

    portal.reset()
    factories.Organization(name="region-grand-est", title="Région Grand Est",
                           body_type="region")
    return factories.Sysadmin()


def _consultation(user: dict[str, Any]) -> tuple[str, str]:
    import ckan.plugins.toolkit as tk

    from ckanext.consultation.synthetic_answers import OPTIONS

    context = {"user": user["name"]}
    consultation = tk.get_action("consultation_create")(dict(context), {
        "name": NAME, "title": "Consultation de mesure", "theme": "SOCI",
        "questions": [{"text": "Êtes-vous favorable à la proposition ?",
                       "options": list(OPTIONS)}],
    })
    tk.get_action("consultation_open")(dict(context), {"id": consultation["id"]})
    return consultation["id"], consultation["questions"][0]["id"]


def _generate(consultation_id: str, question_id: str, answers: int) -> float:
    """COPY ``answers`` generated answers, chunk by chunk; returns the seconds it took."""
    import numpy as np
    from ckan import model

    # The demo's population (synthetic_answers.py), generated here in chunks straight to
    # COPY lines: a million Respondent objects would cost more than the publication.
    from ckanext.consultation.anonymisation.tables import AGE_BANDS, NOT_PROVIDED, SEXES
    from ckanext.consultation.synthetic_answers import (
        AGE_SHARES,
        ANSWER_SHARES,
        NO_COMMUNE_SHARE,
        NO_DEPARTEMENT_SHARE,
        OPTIONS,
        SEX_SHARES,
        communes,
    )

    places = communes()
    weights = np.array([c.population for c in places], dtype=float)
    weights /= weights.sum()
    cumulative = np.cumsum(ANSWER_SHARES, axis=1)
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    connection = model.meta.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for start in range(0, answers, CHUNK):
            n = min(CHUNK, answers - start)
            commune = rng.choice(len(places), size=n, p=weights)
            age = rng.choice(len(AGE_BANDS), size=n, p=AGE_SHARES)
            sex = rng.choice(len(SEXES), size=n, p=SEX_SHARES)
            option = (rng.random(n)[:, None] > cumulative[age]).sum(axis=1).clip(max=3)
            place = rng.random(n)
            buffer = io.StringIO()
            for i in range(n):
                code, departement = places[commune[i]].code, places[commune[i]].departement
                if place[i] < NO_DEPARTEMENT_SHARE:
                    code = departement = NOT_PROVIDED
                elif place[i] < NO_COMMUNE_SHARE:
                    code = NOT_PROVIDED
                buffer.write(f"{consultation_id}\t{question_id}\ta{start + i}\tr{start + i}\t"
                             f"{OPTIONS[option[i]]}\t{AGE_BANDS[age[i]]}\t{SEXES[sex[i]]}\t"
                             f"{departement}\t{code}\n")
            buffer.seek(0)
            cursor.copy_expert(
                "COPY consultation_answer (consultation_id, question_id, answer_key, "
                "respondent_key, option, age_band, sex, departement, commune) FROM STDIN",
                buffer)
        connection.commit()
        # As a table that has lived a while: hint bits set, visibility map, statistics.
        dbapi = connection.dbapi_connection
        dbapi.autocommit = True
        dbapi.cursor().execute("VACUUM ANALYZE consultation_answer")
        dbapi.autocommit = False
    finally:
        connection.close()
    return time.perf_counter() - started


def _close(consultation_id: str) -> None:
    # Straight to "closed": the close action would enqueue the publication job.
    from ckan import model

    from ckanext.consultation.model import Consultation

    model.Session.get(Consultation, consultation_id).status = "closed"
    model.Session.commit()


def _floor(consultation_id: str) -> tuple[float, int]:
    """The bare GROUP BY, every row fetched: the fastest of three plain executions and
    three through a server-side cursor (the planner picks other plans for each)."""
    import sqlalchemy as sa
    from ckan import model

    bare = sa.text(
        "SELECT question_id, option, age_band, sex, departement, commune, count(*) "
        "FROM consultation_answer WHERE consultation_id = :consultation_id "
        "GROUP BY question_id, option, age_band, sex, departement, commune")
    params = {"consultation_id": consultation_id}
    times, groups = [], 0
    with model.meta.engine.connect() as connection:
        for options in ({}, {"stream_results": True, "yield_per": 10_000}) * 3:
            started = time.perf_counter()
            groups = sum(1 for _ in connection.execute(bare, params,
                                                       execution_options=options))
            times.append(time.perf_counter() - started)
    return min(times), groups


def publish_in_this_process(consultation_id: str) -> dict[str, Any]:
    """The measured publication (run in a fresh process by ``run``)."""
    from ckan import model

    from ckanext.consultation import config
    from ckanext.consultation.model import Consultation
    from ckanext.consultation.publication.aggregation import count_answers
    from ckanext.consultation.publication.jobs import publish_consultation
    from ckanext.consultation.publication.releases import prepare_release

    baseline = _resident_kib()
    started = time.perf_counter()
    result = publish_consultation(consultation_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Where the time went: the same steps again, without writing.
    started = time.perf_counter()
    count_answers(consultation_id)
    aggregation = time.perf_counter() - started
    consultation = model.Session.get(Consultation, consultation_id)
    started = time.perf_counter()
    prepare_release(consultation, config.policy(), communes=config.publish_communes())
    release = time.perf_counter() - started
    return {"seconds": seconds, "aggregation": aggregation, "release": release,
            "baseline_kib": baseline, "peak_kib": peak, "result": result}


def _resident_kib() -> int:
    """The process's resident memory now (VmRSS), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(answers: int, ini: str) -> dict[str, Any]:
    from ckan import model

    from ckanext.consultation.model import Consultation

    results: dict[str, Any] = {"answers": answers, "load": os.getloadavg()[0]}
    consultation_id, question_id = _consultation(_reset_portal())
    results["generation"] = _generate(consultation_id, question_id, answers)
    _close(consultation_id)
    floor_before, results["groups"] = _floor(consultation_id)
    child = subprocess.run(
        [sys.executable, __file__, "--ini", ini, "--publish", consultation_id],
        check=True, capture_output=True, text=True)
    results["publication"] = json.loads(child.stdout.strip().splitlines()[-1])
    # The floor at its fastest, measured before and after the publication.
    results["floor"] = min(floor_before, _floor(consultation_id)[0])
    model.Session.expire_all()
    consultation = model.Session.get(Consultation, consultation_id)
    results["status"] = consultation.status
    results["datastore_rows"] = _datastore_rows(NAME)
    return results


def _datastore_rows(name: str) -> int:
    import ckan.plugins.toolkit as tk

    context = {"ignore_auth": True}
    package = tk.get_action("package_show")(dict(context), {"id": name})
    return sum(tk.get_action("datastore_search")(
        dict(context), {"resource_id": r["id"], "limit": 0})["total"]
        for r in package["resources"] if r.get("datastore_active"))


def report(results: dict[str, Any]) -> str:
    publication = results["publication"]
    seconds, floor = publication["seconds"], results["floor"]
    aggregation, release = publication["aggregation"], publication["release"]
    peak_mib = publication["peak_kib"] / 1024
    baseline_mib = publication["baseline_kib"] / 1024
    outcome = publication["result"]
    return "\n".join([
        SECTION,
        "",
        f"Run on {dt.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {results['load']:.1f} at the "
        "start; PostgreSQL 15, Solr 9 and the DataStore of the "
        f"test setup. Poll: one question, {results['answers']:,} generated answers over the "
        f"5,115 communes of Grand Est (in proportion to their population), "
        f"{results['groups']:,} distinct (answer, age band, sex, département, commune) "
        f"groups; written with COPY in {results['generation']:.0f} s.",
        "",
        "| step | time (s) |",
        "|---|---:|",
        f"| floor: the bare `GROUP BY` over the same rows, every row fetched (fastest of 12 "
        f"runs) | "
        f"{floor:.2f} |",
        f"| **publication** (`publish_consultation`: aggregate, anonymise, write the files, "
        f"the DataStore tables and the dataset) | **{seconds:.2f}** |",
        f"| of which the aggregation (the `GROUP BY`, counts by question in Python) | "
        f"{aggregation:.2f} |",
        f"| of which the anonymisation engine (grid, rules 1-8, LP audit) | "
        f"{release - aggregation:.2f} |",
        f"| of which writing (CSV/JSON files, DataStore, dataset, search index) | "
        f"{max(0.0, seconds - release):.2f} |",
        "",
        f"- Publication: **{seconds / floor:.1f}×** the floor (target ≤ 10×); "
        f"{outcome['resources']} resources, {results['datastore_rows']:,} DataStore rows, "
        f"{outcome['participants']:,} protected participants, consultation "
        f"`{results['status']}`.",
        f"- Peak memory of the publishing process (`ru_maxrss`, the whole process): "
        f"**{peak_mib:.0f} MiB** (target ≤ 1 GB); CKAN and its plugins, loaded, held "
        f"{baseline_mib:.0f} MiB before the publication started. The answers never reach "
        "Python: only the groups of the `GROUP BY` do.",
        "",
        "Reproduce: `bash scripts/bench.sh consultation` (it starts the services, and resets "
        "the test database); `--answers N` for another size.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--publish", metavar="CONSULTATION_ID", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    app = portal.load_app(args.ini)
    with app._wsgi_app.test_request_context():
        if args.publish:
            print(json.dumps(publish_in_this_process(args.publish)))
            return 0
        results = run(args.answers, args.ini)
    section = report(results)
    print(section)
    write_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
