"""Running a harvest job in one process, stage after stage, as the consumers would.

For tests and benchmarks (and for admins who want a job run synchronously): the same
gather, fetch and import code as through the Redis queues, without the queues.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject


def run_job_in_process(source_id: str) -> dict[str, Any]:
    """Creates a job for the source, runs it to the end and returns harvest_job_show."""
    context = {"ignore_auth": True, "user": ""}
    job = tk.get_action("harvest_job_create")(context, {"source_id": source_id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    harvester = queue.get_harvester(job_obj.source.type)
    for object_id in queue.gather_stage(harvester, job_obj) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")(context, {"source_id": source_id})
    return tk.get_action("harvest_job_show")(context, {"id": job["id"]})
