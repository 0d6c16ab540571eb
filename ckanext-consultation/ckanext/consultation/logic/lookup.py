"""Finding a consultation, and who may see it (shared by actions and auth functions)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.consultation import roles
from ckanext.consultation.model import Consultation
from ckanext.consultation.statuses import PUBLIC_STATUSES

__all__ = ["can_view", "get_consultation", "user_id", "visible_filter"]


def get_consultation(id_or_name: str, for_update: bool = False) -> Consultation:
    """The consultation with this id or name; ``for_update`` locks its row until commit
    (transitions, erasures: one at a time, and after any import chunk in flight)."""
    query = model.Session.query(Consultation).filter(
        sa.or_(Consultation.id == id_or_name, Consultation.name == id_or_name))
    if for_update:
        query = query.with_for_update()
    consultation = query.one_or_none()
    if consultation is None:
        raise tk.ObjectNotFound(tk._("Consultation not found"))
    return consultation


def user_id(user_name: str | None) -> str | None:
    user = model.User.get(user_name) if user_name else None
    return user.id if user is not None else None


def can_view(consultation: Consultation, user_name: str | None) -> bool:
    """Open, closed and published consultations are public. Before that, a consultation
    is seen by moderators, by its author, and (drafts only) by referents."""
    if consultation.status in PUBLIC_STATUSES:
        return True
    if not user_name:
        return False
    if consultation.author_id and consultation.author_id == user_id(user_name):
        return True
    if roles.is_moderator(user_name):
        return True
    return consultation.status == "draft" and roles.is_referent(user_name)


def visible_filter(user_name: str | None):
    """The SQL condition selecting the consultations ``can_view`` allows."""
    if roles.is_moderator(user_name):
        return sa.true()
    conditions = [Consultation.status.in_(sorted(PUBLIC_STATUSES))]
    author = user_id(user_name)
    if author:
        conditions.append(Consultation.author_id == author)
    if roles.is_referent(user_name):
        conditions.append(Consultation.status == "draft")
    return sa.or_(*conditions)
