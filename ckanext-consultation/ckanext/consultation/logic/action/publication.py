"""Publishing a consultation's anonymised results as its dataset (``publication/``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.consultation.logic.lookup import get_consultation
from ckanext.consultation.publication.errors import PublicationFailed, PublicationRefused
from ckanext.consultation.publication.jobs import publish_consultation

__all__ = ["consultation_publish"]

# A large consultation's publication outlasts CKAN's default job timeout (180 s).
JOB_TIMEOUT = 3600


def _schema() -> dict[str, list]:
    get = tk.get_validator
    return {
        "id": [get("not_empty"), get("unicode_safe")],
        "interim": [get("default")(False), get("boolean_validator")],
        "background": [get("default")(False), get("boolean_validator")],
    }


def consultation_publish(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Publish (or re-export) a consultation's anonymised results as its dataset.

    Final results once the consultation is closed; with ``interim``, interim results
    of an open consultation (refused unless the policy allows them). The previous
    publication stays as it was if this one fails or is refused.

    :param id: the consultation's id or name
    :param interim: interim results (optional, default false)
    :param background: enqueue the publication as a background job instead of running
        it now (optional, default false)
    :returns: ``{"job_id"}`` in the background; else the consultation, the dataset's
        name, the release kind, whether it was a new release, the protected
        participant count and the number of resources
    """
    data, errors = tk.navl_validate(data_dict, _schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("consultation_publish", context, data)
    consultation = get_consultation(data["id"])
    if data["background"]:
        job = tk.enqueue_job(publish_consultation, [consultation.id],
                             {"interim": data["interim"]},
                             title=f"consultation: publish {consultation.name}",
                             rq_kwargs={"timeout": JOB_TIMEOUT})
        return {"consultation": consultation.name, "job_id": job.id}
    try:
        return publish_consultation(consultation.id, interim=data["interim"])
    except (PublicationRefused, PublicationFailed) as error:
        raise tk.ValidationError({"publication": [str(error)]}) from None
