"""The people of the consultation workflow, as real CKAN users, groups and API tokens.

Imported by the conftest of each workflow test folder (roles, consultations, answers,
followup, cli).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories

QUESTIONS = [
    {"text": "Faut-il étendre les horaires des TER le week-end ?",
     "options": ["Oui", "Non", "Sans avis"]},
    {"text": "À quelle fréquence prenez-vous le train ?",
     "options": ["Chaque jour", "Chaque semaine", "Rarement"]},
]


@dataclass
class People:
    """One user per role, plus users who must be refused, each with an API token."""

    sysadmin: dict[str, Any]
    moderator: dict[str, Any]       # editor of the Region's organisation
    region_admin: dict[str, Any]    # admin of the Region's organisation
    region_member: dict[str, Any]   # plain member of it: not a moderator
    other_editor: dict[str, Any]    # editor of another organisation: not a moderator
    referent: dict[str, Any]
    citizen: dict[str, Any]
    app: dict[str, Any]             # the citizen app's user

    def all(self) -> dict[str, dict[str, Any]]:
        return dict(vars(self))


@pytest.fixture
def people(clean_db, clean_index) -> People:
    users = {name: factories.UserWithToken() for name in (
        "moderator", "region_admin", "region_member", "other_editor", "referent", "citizen")}
    factories.Organization(
        name="region-grand-est", title="Région Grand Est", body_type="region",
        territory="region:44",
        users=[{"name": users["moderator"]["name"], "capacity": "editor"},
               {"name": users["region_admin"]["name"], "capacity": "admin"},
               {"name": users["region_member"]["name"], "capacity": "member"}])
    factories.Organization(
        name="ville-de-metz", title="Ville de Metz", body_type="commune",
        territory="commune:57463",
        users=[{"name": users["other_editor"]["name"], "capacity": "editor"}])
    factories.Group(name="referents", title="Référents",
                    users=[{"name": users["referent"]["name"], "capacity": "member"}])
    return People(sysadmin=factories.SysadminWithToken(),
                  app=factories.UserWithToken(name="consultation-app"), **users)


@pytest.fixture
def call(app) -> Callable[..., Any]:
    """Calls an action through the HTTP API as a user (None: anonymous).

    Returns the result (or the error); the HTTP status is checked (``expect``, 200 by
    default).
    """

    def call_action(action: str, user: dict[str, Any] | None, expect: int = 200,
                    **data: Any) -> dict[str, Any]:
        headers = {"Authorization": user["token"]} if user else {}
        response = app.post(f"/api/3/action/{action}", json=data, headers=headers)
        assert response.status_code == expect, response.json
        return response.json["result"] if expect == 200 else response.json["error"]

    return call_action


@pytest.fixture
def open_consultation(people, call) -> dict[str, Any]:
    """A consultation of the Region with two questions, open to answers."""
    created = call("consultation_create", people.moderator, name="horaires-ter",
                   title="Les horaires des TER", theme="TRAN", questions=QUESTIONS)
    return call("consultation_open", people.moderator, id=created["id"])


def answer(n: int, **fields: Any) -> dict[str, Any]:
    """The n-th answer of a synthetic batch: valid, with varied demographics."""
    communes = ["67482", "57463", "51454", "68224", "08105", None]
    row = {
        "answer_id": f"a-{n}",
        "respondent_key": f"r-{n}",
        "question": 1,
        "option": ("Oui", "Non", "Sans avis")[n % 3],
        "age_band": ("15-24", "25-34", "35-49", "50-64", "65+", None)[n % 6],
        "sex": ("femme", "homme", None)[n % 3],
        "commune": communes[n % len(communes)],
    }
    row.update(fields)
    return {key: value for key, value in row.items() if value is not None}
