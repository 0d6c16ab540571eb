"""What ``ckan consultation publish-due`` does, and when.

The portal's scheduler loop runs the command every few minutes; the command does its
round at most once every ``publication.schedule_days`` days (weekly by default), the
date of the last round being kept in CKAN's ``system_info`` table. A round publishes
every closed consultation whose results are not published yet (the publication on
closing may have failed) and refreshes the follow-up resource of every published one
(rewritten only if an entry changed).
"""

from __future__ import annotations

import datetime as dt

from ckan import model

from ckanext.consultation import config
from ckanext.consultation.model import Consultation

__all__ = ["closed_unpublished", "last_round", "mark_round", "next_round", "published"]

LAST_ROUND = "consultation.publish_due.last_round"


def last_round() -> dt.date | None:
    value = model.get_system_info(LAST_ROUND)
    return dt.date.fromisoformat(value) if value else None


def next_round() -> dt.date | None:
    """The first day of the next round (None: due now, there was none yet)."""
    last = last_round()
    if last is None:
        return None
    return last + dt.timedelta(days=max(1, config.publication_schedule_days()))


def mark_round(today: dt.date) -> None:
    model.set_system_info(LAST_ROUND, today.isoformat())


def closed_unpublished() -> list[Consultation]:
    return (model.Session.query(Consultation).filter(Consultation.status == "closed")
            .order_by(Consultation.closes_on, Consultation.name).all())


def published() -> list[Consultation]:
    return (model.Session.query(Consultation).filter(Consultation.status == "published")
            .order_by(Consultation.name).all())
