"""The production compose file validates with Docker Compose and runs what the portal needs."""

from __future__ import annotations

import configparser
import json
import re
import subprocess
from pathlib import Path

import ckan

ROOT = Path(__file__).resolve().parents[1]


def _compose_config() -> dict:
    run = subprocess.run(
        ["docker", "compose", "-f", "docker/docker-compose.yml", "config", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "level=warning" not in run.stderr, run.stderr
    return json.loads(run.stdout)


def test_compose_file_validates_and_separates_the_workers():
    services = _compose_config()["services"]
    assert set(services) == {"ckan", "harvest-gather", "harvest-fetch", "harvest-scheduler",
                             "jobs-worker", "nginx", "db", "solr", "redis"}
    commands = {name: " ".join(s.get("command") or []) for name, s in services.items()}
    assert commands["harvest-gather"].endswith("harvester gather-consumer")
    assert commands["harvest-fetch"].endswith("harvester fetch-consumer")
    assert "harvester run" in commands["harvest-scheduler"]
    assert commands["jobs-worker"].endswith("jobs worker")
    # Scalable: no fixed container name or host port on the fetch consumers.
    assert "container_name" not in services["harvest-fetch"]
    assert not services["harvest-fetch"].get("ports")
    assert re.fullmatch(r"ckan/ckan-solr:[\d.]+-solr9", services["solr"]["image"])
    assert services["db"]["image"] == "postgres:15"


def test_compose_loads_every_plugin_of_the_portal():
    portal = configparser.ConfigParser(strict=False, interpolation=None)
    portal.read(ROOT / "config" / "portal.ini")
    wanted = set(portal["app:main"]["ckan.plugins"].split())
    loaded = set(_compose_config()["services"]["ckan"]["environment"]["CKAN__PLUGINS"].split())
    assert wanted <= loaded


def test_image_is_built_on_the_official_ckan_base_of_the_pinned_version():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    major_minor = ".".join(ckan.__version__.split(".")[:2])
    assert base == f"ckan/ckan-base:{major_minor}"
