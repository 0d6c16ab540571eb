"""Running a harvest job in one process, stage after stage, as the consumers would.

For tests and benchmarks (and for admins who want a job run synchronously): the same
gather, fetch and import code as through the Redis queues, without the queues.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

_SYSTEM = {"ignore_auth": True, "user": ""}


def start_job(source_id: str) -> HarvestJob:
    """A new job of the source, marked Running as the gather consumer marks it."""
    job = tk.get_action("harvest_job_create")(dict(_SYSTEM),
                                              {"source_id": source_id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    return job_obj


def gather_and_import(job: HarvestJob) -> None:
    """The job's gather, then the fetch and import of each of its objects."""
    harvester = queue.get_harvester(job.source.type)
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))


def run_job_in_process(source_id: str) -> dict[str, Any]:
    """Creates a job for the source, runs it to the end and returns harvest_job_show."""
    job = start_job(source_id)
    job_id = job.id
    gather_and_import(job)
    tk.get_action("harvest_jobs_run")(dict(_SYSTEM), {"source_id": source_id})
    return tk.get_action("harvest_job_show")(dict(_SYSTEM), {"id": job_id})
