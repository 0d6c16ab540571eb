"""Consultations and their questions: proposal, moderation, opening and closing.

Who may call what is in ``logic/auth/consultations.py`` (roles in ``roles.py``); the
status transitions are the table ``statuses.TRANSITIONS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.munge import munge_title_to_name
from ckan.types import Context

from ckanext.consultation import roles, triggers
from ckanext.consultation.logic import schema
from ckanext.consultation.logic.dictization import consultation_dictize, consultations_dictize
from ckanext.consultation.logic.lookup import get_consultation, visible_filter
from ckanext.consultation.model import Consultation, Question
from ckanext.consultation.statuses import TRANSITIONS, refusal, status_label

__all__ = [
    "consultation_close",
    "consultation_create",
    "consultation_list",
    "consultation_moderate",
    "consultation_open",
    "consultation_question_submit",
    "consultation_show",
    "consultation_update",
]

log = logging.getLogger(__name__)

MAX_LIST = 100
# What each status still lets moderators change: questions only before answers can
# exist, the privacy mode until closing.
_EDITABLE = {
    "submitted": {"title", "description", "theme", "territory", "opens_on", "closes_on",
                  "privacy_mode", "questions"},
    "draft": {"title", "description", "theme", "territory", "opens_on", "closes_on",
              "privacy_mode", "questions"},
    "open": {"title", "description", "theme", "territory", "closes_on", "privacy_mode"},
    "closed": {"title", "description", "theme", "territory"},
    "published": {"title", "description", "theme", "territory"},
    "rejected": set(),
}
_FIELDS = {"author_public"}.union(*_EDITABLE.values())
# Statuses in which the author of a proposal still edits it like a moderator.
_AUTHOR_EDITS = {"citizen": "submitted", "referent": "draft"}


def _editable(consultation: Consultation, user: model.User) -> set[str]:
    """The fields ``user`` may change now. Whether the author's name is shown is the
    author's consent alone: they may give or withdraw it at any time, nobody else."""
    fields: set[str] = set()
    is_author = consultation.author_id == user.id
    if roles.is_moderator(user.name) or (
            is_author and _AUTHOR_EDITS.get(consultation.origin) == consultation.status):
        fields |= _EDITABLE.get(consultation.status, set())
    if is_author:
        fields.add("author_public")
    return fields


def _today() -> dt.date:
    return dt.date.today()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _name_taken(name: str) -> bool:
    return bool(
        model.Session.query(Consultation.id).filter(Consultation.name == name).first()
        or model.Session.query(model.Package.id).filter(model.Package.name == name).first())


def _free_name(title: str) -> str:
    """A name for the consultation (and its future dataset) made from its title."""
    base = munge_title_to_name(title)[:80].strip("-_") or "consultation"
    if len(base) < 2:
        base = f"consultation-{base}"
    for candidate in [base, *(f"{base}-{n}" for n in range(2, 20))]:
        if not _name_taken(candidate):
            return candidate
    return f"{base}-{uuid.uuid4().hex[:8]}"


def _required_questions(data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    questions = data_dict.get("questions")
    if not questions:
        raise tk.ValidationError({"questions": [tk._("At least one question is required")]})
    return questions


def _set_questions(consultation: Consultation, questions: list[dict[str, Any]]) -> None:
    """Replace the questions (numbered from 1, the position the app's answers refer to)."""
    model.Session.query(Question).filter(Question.consultation_id == consultation.id).delete()
    model.Session.flush()
    for position, question in enumerate(questions, start=1):
        model.Session.add(Question(consultation_id=consultation.id, position=position,
                                   text=question["text"], options=question["options"]))


def _new_consultation(data_dict: dict[str, Any], **fields: Any) -> Consultation:
    consultation = Consultation(
        name=data_dict.get("name") or _free_name(data_dict["title"]),
        title=data_dict["title"],
        description=data_dict.get("description", ""),
        theme=data_dict.get("theme"),
        territory=data_dict.get("territory") or "region:44",
        opens_on=data_dict.get("opens_on"),
        closes_on=data_dict.get("closes_on"),
        privacy_mode=data_dict.get("privacy_mode", "suppression"),
        **fields,
    )
    model.Session.add(consultation)
    model.Session.flush()
    _set_questions(consultation, _required_questions(data_dict))
    model.Session.commit()
    return consultation


def _transition(consultation: Consultation, event: str) -> None:
    source, target = TRANSITIONS[event]
    if consultation.status != source:
        raise tk.ValidationError({"status": [refusal(event, consultation.status)]})
    consultation.status = target


@schema.validate(schema.consultation_create)
def consultation_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Create a consultation in draft (moderators: origin ``region``; referents: ``referent``).

    :param title: the consultation's title
    :param questions: ``[{"text": ..., "options": ["...", "...", ...]}]``, at least one;
        questions are numbered 1, 2, … in this order (the app's answers refer to them by
        this position or by their id)
    :param name: the URL name, also the name of the dataset its results will be published
        as (optional: made from the title)
    :param description: optional text
    :param theme: an EU data theme code (``SOCI``, ``TRAN``, …), optional
    :param territory: a Grand Est territory key or INSEE code (default ``region:44``)
    :param opens_on: planned opening date (YYYY-MM-DD), optional
    :param closes_on: planned closing date, optional
    :param privacy_mode: ``suppression`` (default) or ``differential_privacy``
    :returns: the consultation, as ``consultation_show``
    """
    tk.check_access("consultation_create", context, data_dict)
    user = _user(context)
    origin = "region" if roles.is_moderator(user.name) else "referent"
    consultation = _new_consultation(data_dict, origin=origin, status="draft",
                                     author_id=user.id)
    log.info("consultation %s created by %s (origin %s)", consultation.id, user.name, origin)
    return consultation_dictize(consultation, user.name)


@schema.validate(schema.consultation_question_submit)
def consultation_question_submit(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A citizen (any logged-in user) submits a question; moderators accept or reject it.

    :param title: the question's title
    :param questions: ``[{"text": ..., "options": [...]}]``, at least one
    :param description: optional context
    :param theme: EU data theme code, optional
    :param territory: Grand Est territory key or INSEE code (default ``region:44``)
    :param author_public: whether the author's name may be shown publicly (default false)
    :returns: the submission (status ``submitted``, origin ``citizen``), as
        ``consultation_show``; only its author and the moderators see it until accepted
    """
    tk.check_access("consultation_question_submit", context, data_dict)
    user = _user(context)
    consultation = _new_consultation(
        {**data_dict, "privacy_mode": "suppression"}, origin="citizen", status="submitted",
        author_id=user.id, author_public=data_dict.get("author_public", False))
    log.info("citizen question %s submitted", consultation.id)
    return consultation_dictize(consultation, user.name)


@schema.validate(schema.consultation_moderate)
def consultation_moderate(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Accept (→ draft) or reject (→ rejected) a submitted question.

    :param id: the consultation's id or name
    :param decision: ``accept`` or ``reject``
    :param reason: why; mandatory to reject (the author reads it)
    :returns: the consultation, as ``consultation_show``
    """
    tk.check_access("consultation_moderate", context, data_dict)
    user = _user(context)
    reason = data_dict.get("reason", "").strip()
    if data_dict["decision"] == "reject" and not reason:
        raise tk.ValidationError({"reason": [tk._("A reason is required to reject a question")]})
    consultation = get_consultation(data_dict["id"], for_update=True)
    _transition(consultation, data_dict["decision"])
    consultation.moderated_by = user.id
    consultation.moderated_at = _now()
    consultation.moderation_reason = reason or None
    model.Session.commit()
    log.info("consultation %s moderated by %s: %s", consultation.id, user.name,
             data_dict["decision"])
    return consultation_dictize(consultation, user.name)


@schema.validate(schema.consultation_update)
def consultation_update(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change a consultation's fields (only the given ones).

    Moderators: questions and options only before opening, the privacy mode until
    closing, the texts, theme and territory at any time (except after a rejection). The
    author of a citizen's question (or of a referent's draft) edits it the same way
    until it is accepted (or opened). ``author_public`` is the author's consent to be
    named: only the author changes it, at any time.

    :param id: the consultation's id or name
    :param title, description, theme, territory, opens_on, closes_on, privacy_mode,
        author_public, questions: as in ``consultation_create``
    :returns: the consultation, as ``consultation_show``
    """
    tk.check_access("consultation_update", context, data_dict)
    user = _user(context)
    consultation = get_consultation(data_dict["id"], for_update=True)
    changes = {key: value for key, value in data_dict.items() if key in _FIELDS}
    allowed = _editable(consultation, user)
    refused = {key: [tk._("This field cannot change now: the consultation is {status}")
                     .format(status=status_label(consultation.status))]
               for key in changes if key not in allowed}
    if refused:
        raise tk.ValidationError(refused)
    opens_on = changes.get("opens_on", consultation.opens_on)
    closes_on = changes.get("closes_on", consultation.closes_on)
    if opens_on and closes_on and closes_on < opens_on:
        raise tk.ValidationError(
            {"closes_on": [tk._("The closing date is before the opening date")]})
    if "questions" in changes:
        _set_questions(consultation, _required_questions(changes))
    for key, value in changes.items():
        if key != "questions":
            setattr(consultation, key, value)
    consultation.modified = _now()
    model.Session.commit()
    return consultation_dictize(consultation, user.name)


@schema.validate(schema.consultation_id)
def consultation_open(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Open a consultation in draft to answers (a citizen's question: once accepted).

    :param id: the consultation's id or name
    :returns: the consultation, as ``consultation_show``; ``opens_on`` becomes today
        unless an earlier date was planned
    """
    tk.check_access("consultation_open", context, data_dict)
    consultation = get_consultation(data_dict["id"], for_update=True)
    _transition(consultation, "open")
    today = _today()
    if consultation.opens_on is None or consultation.opens_on > today:
        consultation.opens_on = today
    if consultation.closes_on is not None and consultation.closes_on < today:
        consultation.closes_on = None
    model.Session.commit()
    log.info("consultation %s opened", consultation.id)
    return consultation_dictize(consultation, context.get("user"))


@schema.validate(schema.consultation_id)
def consultation_close(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Close an open consultation and start the publication of its results.

    Closing waits for any import chunk in flight; no answer is accepted afterwards. The
    job ``ckanext.consultation.publication.jobs.publish_consultation(id)`` is then
    enqueued (if the publication package is installed).

    :param id: the consultation's id or name
    :returns: the consultation, as ``consultation_show``, with ``publication_job``: the
        id of the enqueued job (or null)
    """
    tk.check_access("consultation_close", context, data_dict)
    consultation = get_consultation(data_dict["id"], for_update=True)
    _transition(consultation, "close")
    today = _today()
    if consultation.closes_on is None or consultation.closes_on > today:
        consultation.closes_on = today
    model.Session.commit()
    log.info("consultation %s closed", consultation.id)
    job = triggers.enqueue_if_available(
        triggers.PUBLISH_CONSULTATION, consultation.id,
        title=f"consultation: publish the results of {consultation.name}")
    return {**consultation_dictize(consultation, context.get("user")), "publication_job": job}


@tk.side_effect_free
@schema.validate(schema.consultation_id)
def consultation_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """One consultation, public fields only (never answers or respondent keys).

    :param id: the consultation's id or name
    :returns: ``id, name, title, description, theme, territory, opens_on, closes_on,
        origin, status, status_label, privacy_mode, published_at, created, dataset`` (the
        name of the published dataset, or null), ``author`` (only if the author of a
        citizen's question opted in), ``questions: [{id, position, text, options,
        participants}]`` and ``participants``: protected participant counts, only once
        the results are published (null before). Moderators and the author also get
        ``author_public`` and ``moderation: {reason, moderated_at}``; moderators get
        ``erasures`` and ``publication_error``.
    """
    tk.check_access("consultation_show", context, data_dict)
    consultation = get_consultation(data_dict["id"])
    return consultation_dictize(consultation, context.get("user"))


@tk.side_effect_free
@schema.validate(schema.consultation_list)
def consultation_list(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Consultations the caller may see, most recent first.

    Anyone sees open, closed and published ones; moderators see every status (e.g.
    ``status=submitted``: the questions awaiting moderation), authors their own
    submissions, referents the drafts.

    :param status: only this status, optional
    :param origin: only this origin (``region``, ``referent``, ``citizen``), optional
    :param mine: only the caller's own (default false)
    :param limit: how many (default 20, at most 100)
    :param offset: how many to skip (default 0)
    :returns: ``{"count": total, "results": [consultation_show dicts]}``
    """
    tk.check_access("consultation_list", context, data_dict)
    user_name = context.get("user")
    query = model.Session.query(Consultation).filter(visible_filter(user_name))
    if data_dict.get("status"):
        query = query.filter(Consultation.status == data_dict["status"])
    if data_dict.get("origin"):
        query = query.filter(Consultation.origin == data_dict["origin"])
    if data_dict.get("mine"):
        user = _user(context)
        query = query.filter(Consultation.author_id == user.id)
    count = query.count()
    page = (query.order_by(Consultation.created.desc(), Consultation.id)
            .offset(data_dict["offset"]).limit(min(data_dict["limit"], MAX_LIST)).all())
    return {"count": count, "results": consultations_dictize(page, user_name)}
