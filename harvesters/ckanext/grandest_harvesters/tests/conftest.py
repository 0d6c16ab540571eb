"""Harvest fixtures: sources on local peers, and jobs run stage by stage in-process."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.grandest_harvesters.jobs import run_job_in_process


@pytest.fixture
def harvest_org(clean_db, clean_index):
    return factories.Organization(name="region-grand-est", title="Région Grand Est",
                                  body_type="region", territory="region:44")


@pytest.fixture
def make_source(harvest_org):
    sysadmin = factories.Sysadmin()

    def make(url: str, source_type: str, config: dict[str, Any] | None = None,
             name: str = "source") -> dict[str, Any]:
        return tk.get_action("harvest_source_create")(
            {"user": sysadmin["name"]},
            {"name": name, "title": name, "url": url, "source_type": source_type,
             "owner_org": harvest_org["id"], "frequency": "MANUAL",
             "config": json.dumps(config) if config else ""},
        )

    return make


class HarvestRun:
    """The outcome of one job: its stats, errors and objects by remote id."""

    def __init__(self, job_id: str):
        self.job = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job_id})
        self.objects = {o.guid: o for o in HarvestObject.filter(harvest_job_id=job_id)}
        self.stats = {status: n for status, n in self.job["stats"].items() if n}

    def errors(self, guid: str) -> list[str]:
        return [e.message for e in self.objects[guid].errors]

    @property
    def gather_errors(self) -> list[str]:
        job = HarvestJob.get(self.job["id"])
        return [e.message for e in job.gather_errors]


@pytest.fixture
def run_harvest(with_request_context):
    """Runs a job of the source as the queues would: gather, then fetch+import each object."""

    def run(source: dict[str, Any]) -> HarvestRun:
        return HarvestRun(run_job_in_process(source["id"])["id"])

    return run
