"""The citizen app's answers: batch import and erasure requests.

Answers are private: these actions return counts and row errors, never an answer or a
respondent key, and log counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context

from ckanext.consultation import config, ingest
from ckanext.consultation.logic import schema
from ckanext.consultation.logic.lookup import get_consultation
from ckanext.consultation.model import Answer, Consultation, Question
from ckanext.consultation.statuses import status_label

__all__ = ["consultation_answer_erase", "consultation_answers_import"]

log = logging.getLogger(__name__)

# After these, any published table would differ from a corrected one by the erased answers.
_RELEASED_STATUSES = ("closed", "published")


def consultation_answers_import(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Store a batch of answers of an open consultation (the citizen app's user, sysadmins).

    Idempotent: answers are keyed by the app's ``answer_id``, so sending a batch again
    adds nothing. Invalid rows are reported and skipped; valid rows are kept. Rows are
    written in chunks (``ckanext.consultation.import.chunk_size``), each committed.

    :param consultation_id: the consultation's id or name
    :param answers: a list of answers (from Python code, any iterable: it is streamed),
        each ``{answer_id, respondent_key, question, option, age_band, sex, commune,
        departement}``: ``question`` is the question's position (1, 2, …) or id,
        ``option`` one of its answer options, ``age_band`` one of 15-24, 25-34, 35-49,
        50-64, 65+, ``sex`` femme or homme, ``commune`` the INSEE code of a Grand Est
        commune (its département is derived) or else ``departement`` a Grand Est
        département code; a missing demographic is recorded as "non renseigné"
    :returns: ``{"received", "inserted", "duplicates", "rejected", "errors":
        [{"row": index in answers (from 0), "field", "message"}], "errors_truncated"}``;
        a respondent who already answered a question under another answer id is a row
        error; duplicates are rows already stored (same answer id)
    """
    tk.check_access("consultation_answers_import", context, data_dict)
    envelope = {key: value for key, value in data_dict.items() if key != "answers"}
    envelope, errors = tk.navl_validate(envelope, schema.consultation_answers_import(),
                                        context)
    if errors:
        raise tk.ValidationError(errors)
    rows = data_dict.get("answers")
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise tk.ValidationError({"answers": [tk._("Expected a list of answers")]})
    consultation = get_consultation(envelope["consultation_id"])
    if consultation.status != "open":
        raise tk.ValidationError({"consultation_id": [
            tk._("Answers are accepted only while the consultation is open; this one is "
                 "{status}.").format(status=status_label(consultation.status))]})
    report = ingest.import_answers(
        consultation.id, rows,
        chunk_size=config.import_chunk_size(), max_errors=config.import_max_errors())
    return report.as_dict()


@schema.validate(schema.consultation_answer_erase)
def consultation_answer_erase(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Erase a respondent's answers at their request (moderators, the citizen app).

    If a consultation was already closed or published, its ``erasures`` counter goes up:
    its results are then never republished (a corrected table, compared with the
    published one, would reveal the erased answers — anonymisation policy, rule 6).

    :param respondent_key: the respondent's key, as the app sent it
    :param consultation_id: only in this consultation (id or name); optional, default all
    :returns: ``{"erased": answers deleted, "consultations": how many consultations had
        some}``
    """
    tk.check_access("consultation_answer_erase", context, data_dict)
    questions = sa.select(Question.id)
    if data_dict.get("consultation_id"):
        consultation = get_consultation(data_dict["consultation_id"])
        questions = questions.where(Question.consultation_id == consultation.id)
    # Through (question_id, respondent_key): the unique index finds the rows.
    of_respondent = (Answer.question_id.in_(questions),
                     Answer.respondent_key == data_dict["respondent_key"])
    touched = model.Session.execute(
        sa.select(Answer.consultation_id).where(*of_respondent).distinct()).scalars().all()
    # The consultations are locked first: a publication running meanwhile sees either
    # the answers and no erasure, or the erasure.
    consultations = (model.Session.query(Consultation)
                     .filter(Consultation.id.in_(touched)).order_by(Consultation.id)
                     .with_for_update().all())
    erased = model.Session.execute(
        sa.delete(Answer).where(*of_respondent)
        .execution_options(synchronize_session=False)).rowcount
    for consultation in consultations:
        if consultation.status in _RELEASED_STATUSES:
            consultation.erasures += 1
    model.Session.commit()
    log.info("erasure request: %d answers erased in %d consultations", erased,
             len(consultations))
    return {"erased": erased, "consultations": len(consultations)}
