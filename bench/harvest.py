"""Harvest benchmark: our harvesters against stock ckanext-harvest, in one run.

    make bench            (or: bash scripts/bench.sh harvest --entries 2000 --ods-datasets 1200)

For each of our harvesters, ``legacy_alsace`` on a generated legacy catalogue and
``opendatasoft`` on a generated Opendatasoft portal, both served by local peers:

1. our harvester imports the catalogue (first harvest), then harvests it again unchanged;
2. the same datasets, as ``package_show`` gave them, are served by a local CKAN-API peer;
   stock ckanext-harvest's ``ckan`` harvester imports them into an emptied portal (the
   baseline), then harvests again.

Every job runs in-process (gather, then fetch and import of every object through
ckanext-harvest's ``fetch_and_import_stages`` as a fetch consumer does, then
``harvest_jobs_run``, which marks it finished), against the real PostgreSQL, Solr and
Redis of the test configuration, whose database this resets. Besides wall-clock time,
each job's CPU time is measured: this process's, and that of the PostgreSQL, Solr and
Redis processes serving it, so that a run on a busy machine can be read. Results are
printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import portal
from results import write_section

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Harvest: our harvesters vs stock ckanext-harvest"
# Titles this section had before: replaced by it.
FORMER_SECTIONS = ("## Harvest: legacy Open Data Alsace vs stock ckanext-harvest",)
HARVESTERS = {"legacy_alsace": "legacy Open Data Alsace catalogue entries",
              "opendatasoft": "Opendatasoft datasets"}


@dataclass
class Job:
    """One timed harvest job."""

    seconds: float
    cpu: float                # CPU seconds of this process and of the services
    load: float               # 1-minute load average when it started
    stats: dict[str, int]

    @property
    def imported(self) -> int:
        return self.stats.get("added", 0) + self.stats.get("updated", 0)


# -- CPU accounting ----------------------------------------------------------------------


def _proc_times(pid: int, children: bool = False) -> float:
    """utime + stime (and the reaped children's, with ``children``) of a process, in s."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(v) for v in fields[11:15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    """The PostgreSQL server serving this process (postmaster) and its live children."""
    import sqlalchemy as sa
    from ckan import model

    backend = model.Session.execute(sa.text("select pg_backend_pid()")).scalar()
    model.Session.commit()
    status = Path(f"/proc/{backend}/status").read_text()
    postmaster = int(next(line.split()[1] for line in status.splitlines()
                          if line.startswith("PPid:")))
    children = [int(entry.name) for entry in Path("/proc").iterdir()
                if entry.name.isdigit() and _parent(int(entry.name)) == postmaster]
    return [postmaster, *children]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cpu_seconds() -> float:
    """CPU time so far of this process and of the PostgreSQL, Solr and Redis servers
    (the latter two from the pid files of scripts/services.sh)."""
    own = os.times()
    total = own.user + own.system
    pids = _postgres_pids()
    total += _proc_times(pids[0], children=True) + sum(_proc_times(p) for p in pids[1:])
    pid_dir = Path(os.environ.get("GE_PID_DIR", ROOT / "run" / "pids"))
    for service in ("solr", "redis"):
        with contextlib.suppress(OSError, ValueError):     # a service not started here
            total += _proc_times(int((pid_dir / f"{service}.pid").read_text()))
    return total


# -- portal, sources, jobs ---------------------------------------------------------------


def _reset_portal() -> dict[str, Any]:
    from ckan.tests import factories

    portal.reset()
    return factories.Organization(name="region-grand-est", title="Région Grand Est",
                                  body_type="region")


def _source(org: dict[str, Any], url: str, source_type: str, config: str = "") -> str:
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("harvest_source_create")(
        {"user": site_user, "ignore_auth": True},
        {"name": f"bench-{source_type}", "title": source_type, "url": url,
         "source_type": source_type, "owner_org": org["id"], "config": config},
    )["id"]


def _timed_job(source_id: str) -> Job:
    from ckanext.harvest.model import HarvestGatherError

    from ckanext.grandest_harvesters.jobs import run_job_in_process

    load = os.getloadavg()[0]
    cpu = _cpu_seconds()
    start = time.perf_counter()
    job = run_job_in_process(source_id)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    if job["status"] != "Finished":
        raise RuntimeError(f"the job ended {job['status']}")
    for error in HarvestGatherError.filter(harvest_job_id=job["id"]).limit(1):
        print(f"  first gather error of the job: {error.message[:300]}", file=sys.stderr)
    return Job(seconds, cpu, load, {k: v for k, v in job["stats"].items() if v})


def _ckan_api_routes(datasets: list[dict[str, Any]]):
    """package_search as a CKAN answers stock ckanext-harvest: paging, sort by id, fq on
    metadata_modified (its incremental re-harvest)."""
    from ckanext.grandest_harvesters.peers.server import Route

    ordered = sorted(datasets, key=lambda d: d["id"])

    def search(request) -> tuple[int, dict[str, str], bytes]:
        start, rows = int(request.arg("start", "0")), int(request.arg("rows", "10"))
        matching = ordered
        fq = request.arg("fq", "")
        if "metadata_modified:[" in fq:
            since = fq.split("metadata_modified:[", 1)[1].split(" TO", 1)[0].rstrip("Z")
            matching = [d for d in ordered if d["metadata_modified"] >= since]
        body = {"success": True, "result": {"count": len(matching),
                                            "results": matching[start:start + rows]}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    return [Route("/api/3/action/package_search", search),
            Route("/api/action/package_search", search)]


def _exported_datasets() -> list[dict[str, Any]]:
    import ckan.plugins.toolkit as tk
    from ckan import model

    context = {"ignore_auth": True, "use_cache": False}
    ids = [i for (i,) in model.Session.query(model.Package.id)
           .filter(model.Package.type == "dataset", model.Package.state == "active")]
    datasets = []
    for package_id in ids:
        dataset = tk.get_action("package_show")(context, {"id": package_id})
        dataset.pop("organization", None)
        dataset["owner_org"] = None
        datasets.append(dataset)
    return datasets


def _routes(source_type: str, size: int) -> list[Any]:
    from ckanext.grandest_harvesters.peers import legacy_alsace, opendatasoft

    if source_type == "legacy_alsace":
        return legacy_alsace.legacy_alsace_routes(legacy_alsace.generate_catalogue(size),
                                                  page_size=500)
    return opendatasoft.opendatasoft_routes(opendatasoft.generate_catalogue(size))


def compare(source_type: str, size: int) -> dict[str, Any]:
    """Our harvester, then stock ckanext-harvest on the datasets ours created."""
    from ckanext.grandest_harvesters.peers.server import PeerServer

    print(f"{source_type}: {size} records…", file=sys.stderr)
    results: dict[str, Any] = {"size": size}
    with PeerServer(_routes(source_type, size)) as peer:
        source = _source(_reset_portal(), peer.url, source_type)
        results["ours_first"] = _timed_job(source)
        results["ours_again"] = _timed_job(source)
    datasets = _exported_datasets()
    results["datasets"] = len(datasets)
    with PeerServer(_ckan_api_routes(datasets)) as peer:
        source = _source(_reset_portal(), peer.url, "ckan")
        results["stock_first"] = _timed_job(source)
        results["stock_again"] = _timed_job(source)
    return results


def run(sizes: dict[str, int]) -> dict[str, Any]:
    return {source_type: compare(source_type, size) for source_type, size in sizes.items()}


# -- report ------------------------------------------------------------------------------


def _machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip()
                   for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "?"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
            f"Python {platform.python_version()}")


def _row(label: str, job: Job, rate: bool) -> str:
    per_dataset = f"{job.cpu / job.imported * 1000:.0f}" if job.imported else "–"
    speed = f"{job.imported / job.seconds:.1f}" if rate else "–"
    return (f"| {label} | {job.imported} | {job.seconds:.1f} | {speed} | {job.cpu:.1f} | "
            f"{per_dataset} | {job.load:.1f} | {job.stats} |")


def report(results: dict[str, Any]) -> str:
    lines = [
        SECTION,
        "",
        f"Run on {dt.date.today().isoformat()}, {_machine()}; PostgreSQL 15, Solr 9 and "
        "Redis of the test setup, on the same machine. Catalogues: "
        + "; ".join(f"{r['size']} generated {HARVESTERS[t]} ({r['datasets']} published)"
                    for t, r in results.items()) + ".",
        "",
        "CPU: this process's and that of the PostgreSQL, Solr and Redis servers, during the "
        "job. Load: the machine's 1-minute load average when the job started (it is shared: "
        "the stock and our runs face the same kind of contention only if these are close).",
        "",
        "| harvest | datasets imported | time (s) | datasets/s | CPU (s) | CPU ms per dataset "
        "| load | job report |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for source_type, r in results.items():
        lines += [
            _row(f"`{source_type}`, first harvest", r["ours_first"], True),
            _row(f"`{source_type}`, unchanged again", r["ours_again"], False),
            _row("stock `ckan` harvester (baseline), first harvest", r["stock_first"], True),
            _row("stock `ckan` harvester, again (remote `metadata_modified` filter)",
                 r["stock_again"], False),
        ]
    lines += [
        "",
        "| harvester | first harvest: datasets/s vs baseline (target ≥ 3×) | CPU per dataset: "
        "baseline / ours | unchanged re-harvest: % of the first harvest's time "
        "(target ≤ 5 %) |",
        "|---|---:|---:|---:|",
    ]
    for source_type, r in results.items():
        ours, stock = r["ours_first"], r["stock_first"]
        speed = (ours.imported / ours.seconds) / (stock.imported / stock.seconds)
        cpu = (stock.cpu / stock.imported) / (ours.cpu / ours.imported)
        again = 100 * r["ours_again"].seconds / ours.seconds
        lines.append(f"| `{source_type}` | **{speed:.1f}×** | {cpu:.1f}× | **{again:.1f} %** |")
    lines += [
        "",
        "An unchanged re-harvest reports every record \"not modified\" and writes no dataset.",
        "",
        "Reproduce: `make bench` (it starts the services, and resets the test database); "
        "sizes: `make bench ARGS=\"harvest --entries 2000 --ods-datasets 1200\"`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000,
                        help="legacy catalogue entries (default 2000)")
    parser.add_argument("--ods-datasets", type=int, default=1200,
                        help="Opendatasoft portal datasets (default 1200)")
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--no-write", action="store_true",
                        help="print the results without writing docs/benchmarks.md")
    args = parser.parse_args(argv)

    app = portal.load_app(args.ini)
    with app._wsgi_app.test_request_context():
        results = run({"legacy_alsace": args.entries, "opendatasoft": args.ods_datasets})
    section = report(results)
    print(section)
    if not args.no_write:
        write_section(SECTION, section, FORMER_SECTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
