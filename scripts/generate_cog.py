"""Generate the Grand Est subset of the INSEE COG (territories vocabulary).

Regenerate (from the repository root, needs npm):

    .venv/bin/python scripts/generate_cog.py

Installs the npm package ``@etalab/decoupage-administratif`` at the pinned ``VERSION``
into a temporary folder (deleted afterwards), reads its ``data/*.json`` and writes
``ckanext-grandest/ckanext/grandest/vocabularies/cog_grand_est.json``: the région 44,
its départements, every EPCI with a member commune in them and every current commune.
Keys are prefixed by level ("region:44", "departement:67", "epci:246700488",
"commune:67482"). To move to a newer COG, bump ``VERSION``, rerun, review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
REGION = "44"
COMMAND = ".venv/bin/python scripts/generate_cog.py"

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "ckanext-grandest/ckanext/grandest/vocabularies/cog_grand_est.json"


def install(prefix: Path) -> tuple[Path, str]:
    """npm-install the pinned package under ``prefix``; return its data folder and integrity."""
    subprocess.run(
        ["npm", "install", "--prefix", str(prefix), "--ignore-scripts", "--no-audit",
         "--no-fund", "--loglevel=error", f"{PACKAGE}@{VERSION}"],
        check=True,
    )
    folder = prefix / "node_modules" / PACKAGE
    installed = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != VERSION:
        raise SystemExit(f"npm installed {PACKAGE}@{installed}, expected {VERSION}")
    lock = json.loads((prefix / "package-lock.json").read_text(encoding="utf-8"))
    integrity = lock["packages"][f"node_modules/{PACKAGE}"].get("integrity", "")
    return folder / "data", integrity


def build(data: Path) -> list[dict[str, Any]]:
    """The Grand Est entries: région, départements, EPCI, communes (each sorted by code)."""

    def load(name: str) -> list[dict[str, Any]]:
        return json.loads((data / f"{name}.json").read_text(encoding="utf-8"))

    region = next(r for r in load("regions") if r["code"] == REGION)
    departements = sorted(
        (d for d in load("departements") if d["region"] == REGION), key=lambda d: d["code"]
    )
    current = [c for c in load("communes") if c["type"] == "commune-actuelle"]
    any_dep = {c["code"]: c["departement"] for c in current}  # all of France
    communes = sorted((c for c in current if c["region"] == REGION), key=lambda c: c["code"])
    commune_dep = {c["code"]: c["departement"] for c in communes}

    epcis, commune_epci = [], {}
    for epci in sorted(load("epci"), key=lambda e: e["code"]):
        members = sorted(m["code"] for m in epci["membres"])
        inside = [code for code in members if code in commune_dep]
        if not inside:
            continue
        deps = sorted({commune_dep[code] for code in inside})
        entry = {
            "key": f"epci:{epci['code']}", "level": "epci", "code": epci["code"],
            "name": epci["nom"], "parents": [f"departement:{d}" for d in deps],
            "type": epci["type"], "population": epci.get("populationMunicipale"),
            "departements": deps, "communes": inside,
        }
        outside = [code for code in members if code not in commune_dep]
        if outside:  # straddles the regional border: outside members and départements apart
            entry["communes_outside_region"] = outside
            entry["departements_outside_region"] = sorted(
                {any_dep[code] for code in outside if code in any_dep}
            )
        epcis.append(entry)
        for code in inside:
            commune_epci[code] = epci["code"]

    entries: list[dict[str, Any]] = [{
        "key": f"region:{REGION}", "level": "region", "code": REGION,
        "name": region["nom"], "parents": [], "chef_lieu": region["chefLieu"],
    }]
    entries += [{
        "key": f"departement:{d['code']}", "level": "departement", "code": d["code"],
        "name": d["nom"], "parents": [f"region:{REGION}"], "chef_lieu": d["chefLieu"],
    } for d in departements]
    entries += epcis
    for c in communes:
        epci_code = commune_epci.get(c["code"])
        parents = [f"epci:{epci_code}"] if epci_code else []
        entries.append({
            "key": f"commune:{c['code']}", "level": "commune", "code": c["code"],
            "name": c["nom"], "parents": [*parents, f"departement:{c['departement']}"],
            "departement": c["departement"], "epci": epci_code,
            "population": c.get("population"),
        })
    return entries


def write(entries: list[dict[str, Any]], integrity: str) -> None:
    """Write the file: provenance, counts, then one territory per line."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["level"]] = counts.get(entry["level"], 0) + 1
    provenance = {
        "source": "INSEE Code officiel géographique, via Etalab's npm package",
        "npm_package": PACKAGE,
        "version": VERSION,
        "integrity": integrity,
        "generated": dt.date.today().isoformat(),
        "command": COMMAND,
        "licence": "data: Licence Ouverte 2.0 (INSEE); package: MIT",
    }

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ",\n".join(dump(entry) for entry in entries)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        f'{{"provenance":{dump(provenance)},\n"counts":{dump(counts)},\n'
        f'"territories":[\n{lines}\n]}}\n',
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {counts}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cog-") as tmp:
        data, integrity = install(Path(tmp))
        entries = build(data)
    write(entries, integrity)


if __name__ == "__main__":
    main()
