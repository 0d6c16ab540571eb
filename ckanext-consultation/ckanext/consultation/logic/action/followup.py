"""Follow-up entries: what was done with a consultation's results (public)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.consultation import triggers
from ckanext.consultation.logic import schema
from ckanext.consultation.logic.dictization import followup_dictize
from ckanext.consultation.logic.lookup import get_consultation
from ckanext.consultation.model import FollowUp
from ckanext.consultation.statuses import status_label

__all__ = ["consultation_followup_create", "consultation_followup_list"]

log = logging.getLogger(__name__)

# Follow-up reports on results: there are some once the consultation is closed.
_FOLLOWED_STATUSES = ("closed", "published")


@schema.validate(schema.consultation_followup_create)
def consultation_followup_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record what was done with a closed consultation's results (referents, moderators).

    Each entry is added to the consultation's timeline, then the job
    ``ckanext.consultation.publication.jobs.publish_followup(consultation id)`` is
    enqueued (if the publication package is installed) to update the published resource.

    :param consultation_id: the consultation's id or name
    :param status: ``announced``, ``under_study``, ``in_progress``, ``done`` or
        ``abandoned``
    :param decision: what was decided or done (text)
    :param progress: percentage done, 0 to 100 (default 0)
    :param date: the date of the step (YYYY-MM-DD, default today)
    :param links: ``[{"title": ..., "url": ...}]``, optional
    :returns: the entry (``id, consultation_id, date, status, status_label, progress,
        decision, links, created``), with ``publication_job``: the enqueued job's id or null
    """
    tk.check_access("consultation_followup_create", context, data_dict)
    consultation = get_consultation(data_dict["consultation_id"])
    if consultation.status not in _FOLLOWED_STATUSES:
        raise tk.ValidationError({"consultation_id": [
            tk._("Follow-up entries are written once the consultation is closed; this one "
                 "is {status}.").format(status=status_label(consultation.status))]})
    user = model.User.get(context.get("user") or "")
    entry = FollowUp(
        consultation_id=consultation.id,
        date=data_dict.get("date") or dt.date.today(),
        status=data_dict["status"],
        progress=data_dict.get("progress", 0),
        decision=data_dict["decision"],
        links=[{"title": link["title"], "url": link["url"]}
               for link in data_dict.get("links", [])],
        author_id=user.id if user else None,
    )
    model.Session.add(entry)
    model.Session.commit()
    log.info("follow-up entry %s added to consultation %s", entry.id, consultation.id)
    job = triggers.enqueue_if_available(
        triggers.PUBLISH_FOLLOWUP, consultation.id,
        title=f"consultation: publish the follow-up of {consultation.name}")
    return {**followup_dictize(entry), "publication_job": job}


@tk.side_effect_free
@schema.validate(schema.consultation_followup_list)
def consultation_followup_list(context: Context, data_dict: dict[str, Any]) -> list[dict]:
    """The follow-up timeline of a consultation, oldest step first (public).

    :param consultation_id: the consultation's id or name
    :returns: a list of entries, as returned by ``consultation_followup_create``
    """
    tk.check_access("consultation_followup_list", context, data_dict)
    consultation = get_consultation(data_dict["consultation_id"])
    entries = (model.Session.query(FollowUp)
               .filter(FollowUp.consultation_id == consultation.id)
               .order_by(FollowUp.date, FollowUp.created, FollowUp.id))
    return [followup_dictize(entry) for entry in entries]
