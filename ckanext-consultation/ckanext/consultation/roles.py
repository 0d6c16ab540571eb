"""Who may do what in consultations: the four roles, read from CKAN's own users and groups.

- citizen: any logged-in user (submits questions);
- moderator: a sysadmin, or an editor or admin of the Region's organisation
  (``ckanext.consultation.moderators_organization``): creates, moderates, opens, closes;
- referent: a member of the CKAN group ``ckanext.consultation.referents_group``
  (one per Region department): proposes consultations, writes follow-up entries;
- app: the user ``ckanext.consultation.app_user``, whose API token the citizen app uses
  to send answers.

Each predicate takes a user name (``context["user"]``; empty or None for an anonymous
visitor) and is safe to call from auth functions, actions and templates.
"""

from __future__ import annotations

from ckan import authz, model

from ckanext.consultation import config

__all__ = [
    "APP",
    "CITIZEN",
    "MODERATOR",
    "REFERENT",
    "is_app",
    "is_citizen",
    "is_moderator",
    "is_referent",
    "roles_of",
]

CITIZEN = "citizen"
MODERATOR = "moderator"
REFERENT = "referent"
APP = "app"

# Capacities in the moderators' organisation that make a moderator (not plain members).
_MODERATING_CAPACITIES = frozenset({"admin", "editor"})


def _active_user(user_name: str | None) -> model.User | None:
    if not user_name:
        return None
    user = model.User.get(user_name)
    return user if user is not None and user.state == "active" else None


def is_citizen(user_name: str | None) -> bool:
    """Any logged-in, active user."""
    return _active_user(user_name) is not None


def is_moderator(user_name: str | None) -> bool:
    """A sysadmin, or an editor/admin of the moderators' organisation."""
    user = _active_user(user_name)
    if user is None:
        return False
    if user.sysadmin:
        return True
    capacity = authz.users_role_for_group_or_org(config.moderators_organization(),
                                                 user.name)
    return capacity in _MODERATING_CAPACITIES


def is_referent(user_name: str | None) -> bool:
    """A member (any capacity) of the referents' group."""
    user = _active_user(user_name)
    if user is None:
        return False
    return authz.users_role_for_group_or_org(config.referents_group(), user.name) is not None


def is_app(user_name: str | None) -> bool:
    """The citizen app's user (it authenticates with an API token of its own)."""
    user = _active_user(user_name)
    return user is not None and user.name == config.app_user()


def roles_of(user_name: str | None) -> frozenset[str]:
    """Every role of a user, e.g. to decide which buttons a page shows."""
    checks = ((CITIZEN, is_citizen), (MODERATOR, is_moderator), (REFERENT, is_referent),
              (APP, is_app))
    return frozenset(role for role, check in checks if check(user_name))
