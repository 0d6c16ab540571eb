"""A missing service fails the test run loudly, with its name: never a skip."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("variable", "url", "name"),
    [
        ("CKAN_SQLALCHEMY_URL", "postgresql://ckan:ckan@127.0.0.1:{port}/ckan_test", "PostgreSQL"),
        ("CKAN_SOLR_URL", "http://127.0.0.1:{port}/solr/ckan_test", "Solr"),
        ("CKAN_REDIS_URL", "redis://127.0.0.1:{port}/1", "Redis"),
    ],
)
def test_the_run_fails_when_a_service_is_down(variable, url, name):
    env = {**os.environ, variable: url.format(port=_closed_port())}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_services.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode != 0
    assert f"{name} (" in run.stdout + run.stderr
    assert " passed" not in run.stdout and "skipped" not in run.stdout
