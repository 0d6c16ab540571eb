"""Validators of the consultation actions, and the row rules of the answers import.

Field validators follow CKAN's conventions (their message lands under the field's key, so
the API answers 409 with the field named). Answer rows are not run through CKAN's
navl machinery: a batch holds thousands of them, so ``AnswerRules`` checks each row
with precomputed lookups and reports ``(field, message)`` pairs instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.consultation.anonymisation.tables import (
    AGE_BANDS,
    GRAND_EST_DEPARTEMENTS,
    NOT_PROVIDED,
    SEXES,
    TOTAL_LABEL,
)
from ckanext.consultation.model import Consultation
from ckanext.grandest import vocabularies as vocab

__all__ = [
    "AnswerRules",
    "consultation_date",
    "consultation_name_available",
    "consultation_not_before",
    "consultation_one_of",
    "consultation_options",
    "consultation_percentage",
    "consultation_theme",
]

MAX_OPTIONS = 20
MAX_TEXT = 500
MAX_KEY = 200


# -- consultation fields ----------------------------------------------------------------


def consultation_name_available(key: FlattenKey, data: FlattenDataDict,
                                errors: FlattenErrorDict, context: Context) -> None:
    """The name is free among consultations and datasets (it becomes the dataset's name)."""
    name = data.get(key)
    if name in (None, "", tk.missing):
        return
    taken = (model.Session.query(Consultation.id).filter(Consultation.name == name).first()
             or model.Session.query(model.Package.id).filter(model.Package.name == name).first())
    if taken:
        errors[key].append(tk._("This name is already used: {value}").format(value=name))


def consultation_date(value: Any, context: Context) -> Any:
    """An ISO date (YYYY-MM-DD), stored as a date."""
    if value in (None, "", tk.missing):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(
            tk._("Invalid date, expected YYYY-MM-DD: {value}").format(value=value)
        ) from None


def consultation_not_before(start_field: str):
    """This date field is not before ``start_field`` of the same record."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        end, start = data.get(key), data.get((*key[:-1], start_field))
        try:
            # The start field may not be converted yet: fields are checked in any order.
            start = consultation_date(start, context)
        except tk.Invalid:
            return      # reported on the start field itself
        if isinstance(end, dt.date) and isinstance(start, dt.date) and end < start:
            errors[key].append(tk._("The closing date is before the opening date"))

    return validator


def consultation_one_of(allowed: tuple[str, ...]):
    """One of ``allowed`` (the message lists them)."""

    def validator(value: Any, context: Context) -> Any:
        if value in (None, "", tk.missing):
            return value
        if value not in allowed:
            raise tk.Invalid(tk._("Unknown value: {value} (allowed: {allowed})")
                             .format(value=value, allowed=", ".join(allowed)))
        return value

    return validator


def consultation_theme(value: Any, context: Context) -> Any:
    """One EU data theme, given as its code (SOCI) or URI, stored as the code."""
    if value in (None, "", tk.missing):
        return value
    code = vocab.theme_from_uri(str(value)) or str(value).strip().upper()
    if code not in vocab.themes():
        raise tk.Invalid(tk._("Unknown theme: {value}").format(value=value))
    return code


def consultation_options(value: Any, context: Context) -> Any:
    """The answer options of a question: 2 to 20 distinct non-empty texts, in order."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.split("\n")
    if not isinstance(value, list | tuple):
        raise tk.Invalid(tk._("Expected a list of answer options"))
    options = [str(v).strip() for v in value if str(v).strip()]
    if len(options) < 2:
        raise tk.Invalid(tk._("A question needs at least two answer options"))
    if len(options) > MAX_OPTIONS:
        raise tk.Invalid(tk._("A question has at most {n} answer options").format(n=MAX_OPTIONS))
    if len(set(options)) != len(options):
        raise tk.Invalid(tk._("The answer options must be different from each other"))
    if TOTAL_LABEL in options:
        raise tk.Invalid(
            tk._("{value} is reserved for totals, it cannot be an answer option")
            .format(value=TOTAL_LABEL))
    if any(len(option) > MAX_TEXT for option in options):
        raise tk.Invalid(tk._("An answer option has at most {n} characters").format(n=MAX_TEXT))
    return options


def consultation_percentage(value: Any, context: Context) -> Any:
    """An integer between 0 and 100."""
    if value in (None, "", tk.missing):
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Expected a whole number between 0 and 100")) from None
    if not 0 <= number <= 100:
        raise tk.Invalid(tk._("Expected a whole number between 0 and 100"))
    return number


# -- answer rows --------------------------------------------------------------------------


@cache
def commune_departements() -> dict[str, str]:
    """INSEE code of every Grand Est commune → code of its département (from the COG)."""
    out = {}
    for territory in vocab.territories().values():
        if territory.level != "commune":
            continue
        for parent in territory.parents:
            level, _, code = parent.partition(":")
            if level == "departement":
                out[territory.code] = code
                break
    return out


_DEPARTEMENTS = frozenset(code for code, _ in GRAND_EST_DEPARTEMENTS if code != NOT_PROVIDED)
_AGE_BANDS = frozenset(AGE_BANDS)
_SEXES = frozenset(SEXES)


@dataclass(frozen=True)
class QuestionRef:
    id: str
    options: frozenset[str]


class CleanAnswer(NamedTuple):
    """A valid row, in the order of the import's scratch table (the respondent key stays
    private to the import)."""

    answer_key: str
    respondent_key: str
    question_id: str
    option: str
    age_band: str
    sex: str
    departement: str
    commune: str


_MISSING = tk.missing


def _text(value: Any) -> str:
    """A cell as text: missing, None and blanks are ""; whole numbers lose their ".0"."""
    if value.__class__ is str:      # the common case first: rows hold thousands of cells
        return value.strip()
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, float | Decimal) and float(value).is_integer():
        value = int(value)
    return str(value).strip()


class AnswerRules:
    """Checks answer rows against one consultation's questions and the engine's categories.

    ``check(row)`` returns ``(CleanAnswer, [])`` or ``(None, [(field, message), ...])``.
    Messages never quote the respondent key or the answer id.
    """

    def __init__(self, questions: list[tuple[str, int, list[str]]]):
        """``questions``: ``(id, position, options)`` of each question of the consultation."""
        self._by_id = {qid: QuestionRef(qid, frozenset(options))
                       for qid, _, options in questions}
        self._by_position = {position: self._by_id[qid] for qid, position, _ in questions}
        self._communes = commune_departements()

    def check(self, row: Any) -> tuple[CleanAnswer | None, list[tuple[str, str]]]:
        if not isinstance(row, Mapping):
            return None, [("answer", tk._("An answer must be an object with named fields"))]
        errors: list[tuple[str, str]] = []
        answer_key = self._key(row, "answer_id", errors)
        respondent_key = self._key(row, "respondent_key", errors)
        question = self._question(row, errors)
        option = _text(row.get("option"))
        if not option:
            errors.append(("option", tk._("Missing value")))
        elif question is not None and option not in question.options:
            errors.append(("option", tk._("Not an answer option of this question: {value}")
                           .format(value=option[:MAX_TEXT])))
        age_band = _text(row.get("age_band")) or NOT_PROVIDED
        if age_band not in _AGE_BANDS:
            errors.append(("age_band", tk._("Unknown age band: {value} (allowed: {allowed})")
                           .format(value=age_band[:50], allowed=", ".join(AGE_BANDS))))
        sex = _text(row.get("sex")).casefold() or NOT_PROVIDED
        if sex not in _SEXES:
            errors.append(("sex", tk._("Unknown sex: {value} (allowed: {allowed})")
                           .format(value=sex[:50], allowed=", ".join(SEXES))))
        departement, commune = self._place(row, errors)
        if errors:
            return None, errors
        assert question is not None  # an unknown question is an error above
        return CleanAnswer(answer_key, respondent_key, question.id, option, age_band, sex,
                           departement, commune), []

    @staticmethod
    def _key(row: Mapping, field: str, errors: list[tuple[str, str]]) -> str:
        value = _text(row.get(field))
        if not value:
            errors.append((field, tk._("Missing value")))
        elif len(value) > MAX_KEY:
            errors.append((field, tk._("At most {n} characters").format(n=MAX_KEY)))
        return value

    def _question(self, row: Mapping, errors: list[tuple[str, str]]) -> QuestionRef | None:
        value = _text(row.get("question"))
        if not value:
            errors.append(("question", tk._("Missing value")))
            return None
        found = (self._by_position.get(int(value)) if value.isascii() and value.isdigit()
                 else self._by_id.get(value))
        if found is None:
            errors.append(("question", tk._("No such question in this consultation: {value}")
                           .format(value=value[:MAX_KEY])))
        return found

    def _place(self, row: Mapping, errors: list[tuple[str, str]]) -> tuple[str, str]:
        """(département, commune): the commune's INSEE code decides the département."""
        commune = _text(row.get("commune"))
        departement = _text(row.get("departement"))
        # Spreadsheets drop leading zeros: 8105 is the Ardennes' 08105.
        if commune.isascii() and commune.isdigit() and len(commune) < 5:
            commune = commune.zfill(5)
        if departement.isascii() and departement.isdigit() and len(departement) == 1:
            departement = departement.zfill(2)
        if commune and commune != NOT_PROVIDED:
            derived = self._communes.get(commune.upper())
            if derived is None:
                errors.append(("commune", tk._("Not a commune of Grand Est (INSEE code): {value}")
                               .format(value=commune[:20])))
                return NOT_PROVIDED, NOT_PROVIDED
            if departement and departement not in {NOT_PROVIDED, derived}:
                errors.append(("departement", tk._(
                    "The commune {commune} is not in the département {value}"
                ).format(commune=commune, value=departement[:20])))
            return derived, commune.upper()
        if not departement:
            return NOT_PROVIDED, NOT_PROVIDED
        if departement != NOT_PROVIDED and departement not in _DEPARTEMENTS:
            errors.append(("departement", tk._(
                "Not a département of Grand Est: {value} (allowed: {allowed})"
            ).format(value=departement[:20], allowed=", ".join(sorted(_DEPARTEMENTS)))))
        return departement, NOT_PROVIDED
