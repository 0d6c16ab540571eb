"""Background jobs that consultation events start: the publication of results and follow-up.

The jobs live in ``ckanext.consultation.publication.jobs``; they are enqueued by their
dotted name (RQ imports them in the worker), and only if that module provides them, so
that the consultation workflow runs the same with or without the publication package.
"""

from __future__ import annotations

import importlib
import logging

import ckan.plugins.toolkit as tk

__all__ = ["PUBLISH_CONSULTATION", "PUBLISH_FOLLOWUP", "enqueue_if_available"]

log = logging.getLogger(__name__)

PUBLISH_CONSULTATION = "ckanext.consultation.publication.jobs.publish_consultation"
"""Run with a consultation id once it is closed: anonymise and publish its results."""

PUBLISH_FOLLOWUP = "ckanext.consultation.publication.jobs.publish_followup"
"""Run with a consultation id after each new follow-up entry: update its resource."""


def _available(function_path: str) -> bool:
    module_name, _, function_name = function_path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only the absence of that module (or a package above it) means "not installed";
        # a missing import *inside* it is a bug to surface.
        if error.name and module_name.startswith(error.name):
            return False
        raise
    return callable(getattr(module, function_name, None))


def enqueue_if_available(function_path: str, consultation_id: str, title: str) -> str | None:
    """Enqueue ``function_path(consultation_id)`` on CKAN's job queue if it exists.

    :returns: the job's id, or None when the function is not available
    """
    if not _available(function_path):
        log.info("%s is not available: no job enqueued for consultation %s",
                 function_path, consultation_id)
        return None
    job = tk.enqueue_job(function_path, [consultation_id], title=title)
    return job.id
