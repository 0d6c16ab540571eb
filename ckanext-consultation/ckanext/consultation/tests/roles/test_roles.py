"""Every auth function, for every kind of user: who is allowed, who is refused."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ckanext.consultation import roles
from ckanext.consultation.model import Consultation
from ckanext.consultation.tests.actors import QUESTIONS

EVERYONE = ("sysadmin", "moderator", "region_admin", "region_member", "other_editor",
            "referent", "citizen", "app", None)
MODERATORS = {"sysadmin", "moderator", "region_admin"}

# action: who may call it (the others, anonymous visitors included, are refused)
ALLOWED = {
    "consultation_create": MODERATORS | {"referent"},
    "consultation_question_submit": set(EVERYONE) - {None},
    "consultation_moderate": MODERATORS,
    "consultation_open": MODERATORS,
    "consultation_close": MODERATORS,
    "consultation_update": MODERATORS,          # and the author: see below
    "consultation_answers_import": {"sysadmin", "app"},
    "consultation_answer_erase": MODERATORS | {"app"},
    "consultation_followup_create": MODERATORS | {"referent"},
    "consultation_list": set(EVERYONE),
}


def _user_name(people, role):
    return people.all()[role]["name"] if role else ""


def _allowed(people, action: str, role: str | None, data_dict: dict) -> bool:
    context = {"user": _user_name(people, role), "model": model}
    try:
        tk.check_access(action, context, data_dict)
    except tk.NotAuthorized:
        return False
    return True


def _consultation(status: str, author: str | None) -> Consultation:
    row = Consultation(name=f"c-{status}", title=status, status=status, origin="citizen",
                       author_id=author)
    model.Session.add(row)
    model.Session.commit()
    return row


def test_role_predicates(people):
    names = {role: _user_name(people, role) for role in EVERYONE}
    assert {r for r in EVERYONE if roles.is_moderator(names[r])} == MODERATORS
    assert {r for r in EVERYONE if roles.is_referent(names[r])} == {"referent"}
    assert {r for r in EVERYONE if roles.is_app(names[r])} == {"app"}
    assert {r for r in EVERYONE if roles.is_citizen(names[r])} == set(EVERYONE) - {None}
    assert roles.roles_of(names["referent"]) == {roles.CITIZEN, roles.REFERENT}
    assert roles.roles_of("") == frozenset()


def test_a_deleted_user_has_no_role(people):
    user = model.User.get(people.moderator["name"])
    user.state = "deleted"
    model.Session.commit()
    assert not roles.is_moderator(user.name)
    assert not roles.is_citizen(user.name)


@pytest.mark.usefixtures("with_request_context")
def test_who_may_call_each_action(people):
    target = _consultation("open", None)
    data_dict = {"id": target.id, "consultation_id": target.id}
    allowed = {action: {role for role in EVERYONE if _allowed(people, action, role, data_dict)}
               for action in ALLOWED}
    assert allowed == ALLOWED


# status: who sees a consultation of a citizen (consultation_show, followup_list)
VIEWERS = {
    "submitted": MODERATORS | {"citizen"},
    "rejected": MODERATORS | {"citizen"},
    "draft": MODERATORS | {"citizen", "referent"},
    "open": set(EVERYONE),
    "closed": set(EVERYONE),
    "published": set(EVERYONE),
}


@pytest.mark.usefixtures("with_request_context")
def test_who_sees_a_consultation(people):
    for status, viewers in VIEWERS.items():
        target = _consultation(status, people.citizen["id"])      # the citizen is its author
        for action, key in (("consultation_show", "id"),
                            ("consultation_followup_list", "consultation_id")):
            seen = {role for role in EVERYONE
                    if _allowed(people, action, role, {key: target.id})}
            assert seen == viewers, (status, action)


@pytest.mark.usefixtures("with_request_context")
def test_the_author_may_edit_their_proposal(people):
    target = _consultation("submitted", people.citizen["id"])
    allowed = {r for r in EVERYONE if _allowed(people, "consultation_update", r,
                                               {"id": target.id})}
    assert allowed == MODERATORS | {"citizen"}


@pytest.mark.usefixtures("with_request_context")
@pytest.mark.ckan_config("ckanext.consultation.app_user", "another-app")
@pytest.mark.ckan_config("ckanext.consultation.moderators_organization", "ville-de-metz")
@pytest.mark.ckan_config("ckanext.consultation.referents_group", "no-such-group")
def test_roles_follow_the_configuration(people):
    names = {role: _user_name(people, role) for role in EVERYONE}
    assert {r for r in EVERYONE if roles.is_moderator(names[r])} == {"sysadmin", "other_editor"}
    assert not any(roles.is_referent(names[r]) for r in EVERYONE)
    assert not roles.is_app(names["app"])
    assert not _allowed(people, "consultation_answers_import", "app", {})


def test_refusals_over_http_are_403_in_french(people, call):
    error = call("consultation_create", people.citizen, expect=403, title="Une idée",
                 questions=QUESTIONS)
    assert "Seuls les modérateurs et les référents" in error["message"]
    error = call("consultation_answers_import", people.moderator, expect=403,
                 consultation_id="x", answers=[])
    assert "Seule l'application citoyenne" in error["message"]
    call("consultation_question_submit", None, expect=403, title="Une idée",
         questions=QUESTIONS)
