"""Demo consultations (``consultations.yaml``): one published with its results and
follow-up, one open, one citizen's question accepted and open.

Everything goes through the plugin's own actions and publication, as the Region's
moderators and the citizen app would, with synthetic answers. Seeding is idempotent and
resumable: each consultation is taken from where it stands (created, open, closed,
published) to where the demo wants it, and nothing is added once it is there.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan import model

from ckanext.consultation import synthetic_answers
from ckanext.consultation.model import Consultation
from ckanext.consultation.publication.jobs import publish_consultation, publish_followup

log = logging.getLogger(__name__)
CONTENT = Path(__file__).with_name("consultations.yaml")


def load_content() -> dict[str, Any]:
    with CONTENT.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


def _call(action: str, data: dict[str, Any], context: dict[str, Any] | None = None) -> Any:
    return tk.get_action(action)(context or _site_context(), data)


def _day(offset: int, today: dt.date) -> str:
    return (today + dt.timedelta(days=offset)).isoformat()


def _fields(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    fields = {key: spec[key] for key in ("name", "title", "description", "theme", "territory",
                                         "questions") if key in spec}
    if "opens_in_days" in spec:
        fields["opens_on"] = _day(spec["opens_in_days"], today)
    if "closes_in_days" in spec:
        fields["closes_on"] = _day(spec["closes_in_days"], today)
    return fields


def _status(name: str) -> str | None:
    row = model.Session.query(Consultation.status).filter(Consultation.name == name).first()
    return row[0] if row else None


def seed(today: dt.date | None = None) -> dict[str, int]:
    """Bring the demo consultations where the demo wants them.

    :returns: how many consultations were created or moved on (``created``) and how
        many were already in place (``kept``)
    """
    today = today or dt.date.today()
    content = load_content()
    counts = {"created": 0, "kept": 0}
    for seeded in (
        _published(content["published"], today),
        _opened(content["open"], today),
        _citizen_question(content["citizen"], today),
    ):
        counts["created" if seeded else "kept"] += 1
    return counts


def _opened(spec: dict[str, Any], today: dt.date) -> bool:
    """An open consultation; True if anything was done."""
    status = _status(spec["name"])
    if status is None:
        _call("consultation_create", _fields(spec, today))
        status = "draft"
    if status == "draft":
        _call("consultation_open", {"id": spec["name"]})
        return True
    return False


def _published(spec: dict[str, Any], today: dt.date) -> bool:
    """A consultation that took place: answers, closing, publication, follow-up."""
    changed = False
    status = _status(spec["name"])
    if status is None:
        _call("consultation_create", _fields(spec, today))
        status, changed = "draft", True
    if status == "draft":
        _call("consultation_open", {"id": spec["name"]})
        status, changed = "open", True
    if status == "open":
        answers = synthetic_answers.population(spec["answers"], spec["seed"])
        report = _call("consultation_answers_import", {
            "consultation_id": spec["name"],
            "answers": synthetic_answers.import_rows(answers),
        })
        log.info("demo answers: %s inserted, %s already there", report["inserted"],
                 report["duplicates"])
        _call("consultation_close", {"id": spec["name"]})
        _replay_calendar(spec, today)
        status, changed = "closed", True
    if status == "closed":
        # At once rather than through the job queue: the demo is complete on return.
        publish_consultation(_consultation_id(spec["name"]))
        changed = True
    if _followups(spec, today):
        publish_followup(_consultation_id(spec["name"]))
        changed = True
    return changed


def _replay_calendar(spec: dict[str, Any], today: dt.date) -> None:
    """The demo consultation took place weeks ago: its opening and closing dates are the
    planned ones (opening and closing it now set them to today)."""
    consultation = model.Session.query(Consultation).filter(
        Consultation.name == spec["name"]).one()
    consultation.opens_on = dt.date.fromisoformat(_day(spec["opens_in_days"], today))
    consultation.closes_on = dt.date.fromisoformat(_day(spec["closes_in_days"], today))
    model.Session.commit()


def _consultation_id(name: str) -> str:
    return model.Session.query(Consultation.id).filter(Consultation.name == name).scalar()


def _followups(spec: dict[str, Any], today: dt.date) -> bool:
    """The follow-up entries not recorded yet (matched on their decision text)."""
    recorded = {entry["decision"] for entry in _call(
        "consultation_followup_list", {"consultation_id": spec["name"]})}
    added = False
    for entry in spec["followups"]:
        if entry["decision"] in recorded:
            continue
        _call("consultation_followup_create", {
            "consultation_id": spec["name"],
            "date": _day(entry["days"], today),
            "status": entry["status"],
            "progress": entry["progress"],
            "decision": entry["decision"],
            "links": entry.get("links", []),
        })
        added = True
    return added


def _citizen_question(spec: dict[str, Any], today: dt.date) -> bool:
    """A citizen's question: submitted by a demo user, accepted, opened. A submission
    gets its name from its title: it is found again by its title and origin."""
    row = model.Session.query(Consultation.id, Consultation.status).filter(
        Consultation.title == spec["title"], Consultation.origin == "citizen").first()
    if row is None:
        author = _citizen(spec["user"])
        fields = {key: value for key, value in _fields(spec, today).items()
                  if key not in ("opens_on", "closes_on")}
        submitted = _call("consultation_question_submit",
                          {**fields, "author_public": spec["author_public"]}, {"user": author})
        row = (submitted["id"], "submitted")
    consultation_id, status = row
    if status == "submitted":
        _call("consultation_moderate", {"id": consultation_id, "decision": "accept",
                                        "reason": "Question d'intérêt régional."})
        status = "draft"
    if status == "draft":
        _call("consultation_update", {"id": consultation_id,
                                      "closes_on": _day(spec["closes_in_days"], today)})
        _call("consultation_open", {"id": consultation_id})
        return True
    return False


def _citizen(user: dict[str, str]) -> str:
    """The demo citizen's user name (created the first time, with a password nobody
    knows: the demo never logs in as them)."""
    if model.User.get(user["name"]) is None:
        _call("user_create", {**user, "password": secrets.token_urlsafe(24)})
    return user["name"]
