"""Harvester of partner CKAN portals (DataGrandEst's CKAN back end, other CKAN 2.x portals,
and DKAN's CKAN-compatible API): type ``grandest_ckan``.

Composition. The class stands on ckanext-harvest's ``CKANHarvester`` and on the portal's
``GrandEstHarvester``, ours first in the method order:

- from the stock CKAN harvester: its source configuration and its validation
  (``validate_config``: ``api_version``, ``api_key``, ``default_tags``, ``default_groups``,
  ``default_extras``, ``organizations_filter_include``/``_exclude``,
  ``groups_filter_include``/``_exclude``, ``force_all``, ``user``, ``read_only``), the meaning
  of ``override_extras``, ``remote_orgs`` and ``remote_groups``, the action API paths, and
  its ``package_search`` paging (``sort=id asc``, pages of 100, a dataset seen on an earlier
  page skipped, a page repeating the previous one refused);
- from the portal's base: every request through :mod:`fetching` (SSRF guard on each
  redirect, size cap, retries), the digest that reports an unchanged dataset "not
  modified" without a write, the upsert through the regional schema, the withdrawal of
  what left a complete listing, readable errors;
- replaced: the stock gather (it holds the whole catalogue in memory, and after a first
  job it only asks for datasets modified since, so it never sees a deletion) and the stock
  import (it saves the remote package as is: extras named like schema fields, remote
  licence ids and remote groups break or pollute it). Every job therefore reads the whole
  listing (``force_all`` changes nothing); unchanged datasets cost no write.

Gather: ``package_search`` (the default), or with ``{"listing": "package_list"}``
``package_list`` then ``package_show`` for each dataset (DKAN, portals without search),
or with ``{"datasets": [id or name, …]}`` ``package_show`` for these only. A dataset that
is private (``private: true``) or not active (``state: deleted``) is not published, and a
harvested dataset that became so is withdrawn like one that disappeared.

Mapping: see ``mappings/ckan.yaml`` and docs/guide-administrateurs.md. The organisation of
a remote dataset becomes its publisher with ``{"remote_orgs": "create"}`` (created on first
use; an organisation of the portal with the same name is reused) or
``{"remote_orgs": "only_local"}`` (only an existing one); otherwise, as in the stock
harvester, the source's organisation publishes it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import requests
import yaml
from ckan import model
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest.logic.validators import EMAIL
from ckanext.grandest_harvesters import cleaning
from ckanext.grandest_harvesters.base import (
    GrandEstHarvester,
    MappingError,
    RemoteRecord,
    SkippedRecord,
)
from ckanext.grandest_harvesters.fetching import FetchError, fetch, portal_root

MAPPING = Path(__file__).parent / "mappings" / "ckan.yaml"
PAGE_SIZE = 100            # the stock harvester's page; CKAN serves up to 1,000
LISTINGS = ("package_search", "package_list")
REMOTE_ORGS = ("only_local", "create")
ACTION_API = f"/api/{CKANHarvester.action_api_version}/action"   # the stock harvester's

# What the mapping reads of a package: the record's content (and its digest) keeps only
# this, so that counters the portal refreshes (tracking_summary, num_*, datastore flags…)
# do not make an unchanged dataset look modified.
_PACKAGE_KEYS = ("id", "name", "title", "notes", "url", "license_id", "license_title",
                 "license_url", "author", "author_email", "maintainer", "maintainer_email",
                 "metadata_created", "metadata_modified")
_RESOURCE_KEYS = ("url", "name", "description", "format", "mimetype", "size", "last_modified")
_ORGANISATION_KEYS = ("name", "title", "description", "image_url")

_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_HTML = re.compile(r"<(?:p|br|div|ul|ol|li|strong|em|b|i|a|h[1-6]|span|table)\b", re.I)
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(o|octets?|b|bytes?|ko|kb|mo|mb|go|gb)?\s*$", re.I)
_SIZE_UNITS = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
# DKAN's French dates: "mar, 10/12/2019 - 09:23", "Date changed  jeu, 19/12/2019 - 03:00"
_FRENCH_DATE = re.compile(
    r"^(?:date changed\s+)?(?:[^\W\d_]{2,9}\.?,?\s+)?(\d{1,2})/(\d{1,2})/(\d{4})"
    r"(?:\s*-?\s*(\d{1,2})[:h](\d{2}))?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,7})$")
_NAME_FORBIDDEN = re.compile(r"[^a-z0-9_-]+")

# The harvest object being imported, for default_extras' placeholders (one per task).
_IMPORTING: contextvars.ContextVar[HarvestObject | None] = contextvars.ContextVar(
    "grandest_ckan_importing", default=None)


@cache
def mapping() -> dict[str, Any]:
    """The mapping tables, with labels and formats folded for matching."""
    with MAPPING.open(encoding="utf-8") as f:
        table = yaml.safe_load(f)
    table["groups"] = {cleaning.fold(label): codes for label, codes in table["groups"].items()}
    table["formats"] = {cleaning.fold(label): fmt for label, fmt in table["formats"].items()}
    table["languages"] = {cleaning.fold(label): code for label, code in table["languages"].items()}
    table["body_types"] = [(cleaning.fold(rule["prefix"]), rule["body_type"])
                           for rule in table["body_types"]]
    table["closed_licences"] = {cleaning.fold(x) for x in table["closed_licences"]}
    table["licences"] = {cleaning.fold(k): v for k, v in table["licences"].items()}
    return table


@cache
def _theme_labels() -> dict[str, str]:
    return {cleaning.fold(label): code for code, entry in vocab.themes().items()
            for label in entry["labels"].values()}


@cache
def _reserved_keys() -> frozenset[str]:
    """Names a free extra may not take: the regional schema's fields and CKAN's own
    dataset keys (CKAN refuses an extra named like one of them)."""
    schema = tk.get_action("scheming_dataset_schema_show")(
        {"ignore_auth": True}, {"type": "dataset"})
    core = tk.DefaultDatasetForm().create_package_schema()
    return frozenset({f["field_name"] for f in schema["dataset_fields"]} | set(core))


# -- the portal's URLs ------------------------------------------------------------------


def portal_url(source_url: str) -> str:
    """The portal's root from a source URL given as the root or as an ``…/api/…`` or
    ``…/dataset/…`` URL of it."""
    return portal_root(source_url, ("/api/", "/dataset/"))


def action_url(portal: str, action: str, params: dict[str, Any] | None = None) -> str:
    url = f"{portal}{ACTION_API}/{action}"
    return f"{url}?{urlencode(params)}" if params else url


def dataset_page_url(portal: str, name: str) -> str:
    return f"{portal}/dataset/{quote(name, safe='')}"


class _ApiKeySession(requests.Session):
    """Sends the source's API key to the portal's own host only, never to a host that a
    redirect leads to (fetching follows redirects itself, with the same session)."""

    def __init__(self, api_key: str, portal: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.origin = urlsplit(portal)[:2]

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        if urlsplit(str(url))[:2] == self.origin:
            headers = {**(headers or {}), "Authorization": self.api_key}
        return super().request(method, url, *args, headers=headers, **kwargs)


def _session(portal: str, source_config: dict[str, Any]) -> requests.Session:
    api_key = source_config.get("api_key")
    return _ApiKeySession(str(api_key), portal) if api_key else requests.Session()


def _unexpected(url: str) -> FetchError:
    return FetchError(tk._("Unexpected answer from {url}: this is not a CKAN action API")
                      .format(url=url))


def call_action(url: str, session: requests.Session) -> Any:
    """The ``result`` of a CKAN action; FetchError with the API's message if it failed."""
    response = fetch(url, accept="application/json", session=session)
    try:
        answer = json.loads(response.text())
    except ValueError as e:
        raise FetchError(tk._("Unreadable CKAN API answer at {url}: {error}")
                         .format(url=url, error=e)) from None
    if not isinstance(answer, dict) or "success" not in answer:
        raise _unexpected(url)
    if answer["success"] is not True or "result" not in answer:
        error = answer.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        raise FetchError(tk._("The CKAN API refused {url}: {error}")
                         .format(url=url, error=message or "?"))
    return answer["result"]


def _search_query(source_config: dict[str, Any]) -> str:
    """``fq`` as the stock harvester builds it from the organisation and group filters."""
    terms = []
    for field, key in (("organization", "organizations"), ("groups", "groups")):
        include = source_config.get(f"{key}_filter_include") or []
        exclude = source_config.get(f"{key}_filter_exclude") or []
        if include:
            terms.append(" OR ".join(f"{field}:{name}" for name in include))
        elif exclude:
            terms.extend(f"-{field}:{name}" for name in exclude)
    return " ".join(terms)


def search_pages(portal: str, source_config: dict[str, Any], session: requests.Session
                 ) -> Iterator[Any]:
    """Every package of ``package_search``; FetchError if the listing is not complete."""
    fq = _search_query(source_config)
    start, count, previous = 0, None, None
    earlier: set[Any] = set()
    while count is None or start < count:
        params = {"rows": PAGE_SIZE, "start": start, "sort": "id asc", **({"fq": fq} if fq else {})}
        url = action_url(portal, "package_search", params)
        result = call_action(url, session)
        page = result.get("results") if isinstance(result, dict) else None
        count = result.get("count") if isinstance(result, dict) else None
        if not isinstance(page, list) or not isinstance(count, int):
            raise _unexpected(url)
        ids = [package.get("id") if isinstance(package, dict) else None for package in page]
        if page and ids == previous:
            raise FetchError(tk._("The portal answers the same page again at {url}: its "
                                  "paging does not work").format(url=url))
        if not page:
            if start < count:
                raise FetchError(tk._("The portal announced {count} datasets but listed only "
                                      "{received}").format(count=count, received=start))
            break
        # A dataset already listed on an earlier page (datasets changed while paging) is
        # skipped, as the stock harvester does; repeats within a page are the base's to report.
        yield from (package for package, id_ in zip(page, ids, strict=True)
                    if id_ is None or id_ not in earlier)
        earlier.update(ids)
        previous = ids
        start += len(page)


def show_package(portal: str, name_or_id: str, session: requests.Session) -> Any:
    """``package_show``'s result: a dict for CKAN, a list of one dict for DKAN."""
    url = action_url(portal, "package_show", {"id": name_or_id})
    result = call_action(url, session)
    if isinstance(result, list) and len(result) == 1:
        result = result[0]
    if not isinstance(result, dict):
        raise _unexpected(url)
    return result


def shown_packages(portal: str, names: list[str], session: requests.Session
                   ) -> Iterator[Any]:
    """``package_show`` for each name: the readable ones first, then a FetchError naming
    the others (the listing is then incomplete: nothing is withdrawn for it)."""
    failed = []
    for name in names:
        try:
            yield show_package(portal, name, session)
        except FetchError as e:
            failed.append(f"{name} ({e})")
    if failed:
        raise FetchError(tk._("{count} datasets could not be read: {datasets}")
                         .format(count=len(failed), datasets="; ".join(failed)))


def listed_names(portal: str, session: requests.Session) -> list[str]:
    url = action_url(portal, "package_list")
    names = call_action(url, session)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _unexpected(url)
    return names


# -- configuration ------------------------------------------------------------------------


def _by_sysadmin_or_system() -> bool:
    """True unless a logged-in user who is not a sysadmin changes the source (the CLI, the
    demo seeding and background jobs act as the system)."""
    try:
        user = tk.current_user
        authenticated = bool(user) and bool(user.is_authenticated)
    except (RuntimeError, AttributeError):
        return True
    return not authenticated or bool(getattr(user, "sysadmin", False))


def _ensure_request_user() -> None:
    """The stock validation reads ``c.user``, which only web requests set: outside one
    (CLI, demo seeding) it acts as nobody, as CKAN does for an anonymous request."""
    try:
        tk.g.user  # noqa: B018
    except AttributeError:
        tk.g.user = ""
    except RuntimeError:      # no application context: the stock code cannot run anyway
        pass


def _stock_message(error: Exception) -> str:
    """The stock harvester's (English) validation messages, translated."""
    messages = {
        "api_version must be an integer": tk._("api_version must be an integer"),
        "default_tags must be a list": tk._("default_tags must be a list"),
        "default_tags must be a list of dictionaries":
            tk._("default_tags must be a list of dictionaries"),
        "default_groups must be a *list* of group names/ids":
            tk._("default_groups must be a list of group names or ids"),
        "default_groups must be a list of group names/ids (i.e. strings)":
            tk._("default_groups must be a list of group names or ids"),
        "Default group not found": tk._("Default group not found"),
        "default_extras must be a dictionary": tk._("default_extras must be a dictionary"),
        "Harvest configuration cannot contain both organizations_filter_include and "
        "organizations_filter_exclude":
            tk._("organizations_filter_include and organizations_filter_exclude cannot be "
                 "used together"),
        "Harvest configuration cannot contain both groups_filter_include and "
        "groups_filter_exclude":
            tk._("groups_filter_include and groups_filter_exclude cannot be used together"),
        "User not found": tk._("User not found"),
        "read_only must be boolean": tk._("read_only must be true or false"),
        "force_all must be boolean": tk._("force_all must be true or false"),
    }
    text = str(error)
    return messages.get(text) or tk._("Invalid configuration: {error}").format(error=text)


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_own_keys(parsed: dict[str, Any]) -> None:
    """The keys this harvester adds to the stock configuration, and the types the stock
    validation leaves unchecked."""
    if parsed.get("listing", "package_search") not in LISTINGS:
        raise ValueError(tk._("listing must be package_search or package_list"))
    if "datasets" in parsed:
        if not _string_list(parsed["datasets"]) or not parsed["datasets"]:
            raise ValueError(tk._("datasets must be a list of dataset names or ids"))
        if "listing" in parsed:
            raise ValueError(tk._("datasets and listing cannot be used together"))
    for key in ("organizations_filter_include", "organizations_filter_exclude",
                "groups_filter_include", "groups_filter_exclude"):
        if key in parsed and not _string_list(parsed[key]):
            raise ValueError(tk._("{key} must be a list of names").format(key=key))
    if not isinstance(parsed.get("api_key", ""), str):
        raise ValueError(tk._("api_key must be a string"))
    if not isinstance(parsed.get("override_extras", False), bool):
        raise ValueError(tk._("override_extras must be true or false"))
    if parsed.get("remote_groups", "only_local") != "only_local":
        raise ValueError(tk._("remote_groups can only be only_local: the portal's groups "
                              "are not created by harvests"))
    if "remote_orgs" in parsed:
        if parsed["remote_orgs"] not in REMOTE_ORGS:
            raise ValueError(tk._("remote_orgs must be only_local or create"))
        if not _by_sysadmin_or_system():
            raise ValueError(tk._("Only sysadmins may set remote_orgs: it publishes "
                                  "datasets in other organisations than the source's"))


def _options(source_url: str, source_config: dict[str, Any]) -> dict[str, Any]:
    """What of the source configuration the mapping uses (it goes into each record's
    content: changing it re-imports the datasets)."""
    options = {key: source_config[key] for key in
               ("default_tags", "default_extras", "override_extras", "remote_orgs",
                "remote_groups") if source_config.get(key)}
    groups = [g.get("name") for g in source_config.get("default_group_dicts") or []
              if isinstance(g, dict)] or source_config.get("default_groups") or []
    if groups:
        options["default_groups"] = groups
    if options.get("default_extras"):
        options["source_url"] = source_url
    return options


def _excluded(package: dict[str, Any], source_config: dict[str, Any]) -> bool:
    """The organisation and group filters, applied again to what the portal sent (also
    where the listing cannot filter: package_list, DKAN)."""
    organisation = (package.get("organization") or {}) \
        if isinstance(package.get("organization"), dict) else {}
    names = {"organizations": {organisation.get("name")},
             "groups": {g.get("name") for g in cleaning.as_list(package.get("groups"))
                        if isinstance(g, dict)}}
    for key, found in names.items():
        include = set(source_config.get(f"{key}_filter_include") or [])
        exclude = set(source_config.get(f"{key}_filter_exclude") or [])
        if (include and not include & found) or (exclude & found):
            return True
    return False


def _hidden(package: dict[str, Any]) -> bool:
    """Private, or not active (deleted, draft): never published."""
    private = package.get("private")
    if isinstance(private, str):
        private = private.strip().lower() == "true"
    state = cleaning.text(package.get("state") or "active").lower()
    return bool(private) or state != "active"


def _pruned(package: dict[str, Any]) -> dict[str, Any]:
    pruned: dict[str, Any] = {key: package.get(key) for key in _PACKAGE_KEYS}
    pruned["tags"] = [cleaning.text(t.get("name") or t.get("display_name"))
                      if isinstance(t, dict) else cleaning.text(t)
                      for t in cleaning.as_list(package.get("tags"))]
    pruned["groups"] = [{"name": g.get("name"), "title": g.get("title")}
                        for g in cleaning.as_list(package.get("groups")) if isinstance(g, dict)]
    organisation = package.get("organization")
    pruned["organization"] = ({key: organisation.get(key) for key in _ORGANISATION_KEYS}
                              if isinstance(organisation, dict) else None)
    extras = package.get("extras") or []
    if isinstance(extras, dict):             # the old REST API's form
        extras = [{"key": k, "value": v} for k, v in extras.items()]
    pruned["extras"] = [[e.get("key"), e.get("value")] for e in cleaning.as_list(extras)
                        if isinstance(e, dict)]
    pruned["resources"] = [
        {key: r.get(key) for key in _RESOURCE_KEYS}
        for r in cleaning.as_list(package.get("resources"))
        if isinstance(r, dict) and cleaning.text(r.get("state") or "active").lower() == "active"
    ]
    return pruned


class GrandEstCKANHarvester(GrandEstHarvester, CKANHarvester):
    """The portal's CKAN harvester: the stock CKAN harvester's configuration, gathered and
    imported through the portal's base (see the module's docstring)."""

    p.implements(IHarvester)

    platform = "CKAN"

    def __new__(cls, *args: Any, **kwargs: Any) -> GrandEstCKANHarvester:
        # SingletonPlugin keeps its instance in a class attribute, which subclasses
        # inherit: without one of its own, this class would hand out (and rename) the
        # stock harvester's instance, loaded as the plugin ckan_harvester.
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance

    def info(self) -> dict[str, str]:
        return {
            "name": "grandest_ckan",
            "title": "CKAN (API CKAN 2.x, DKAN)",
            "description": tk._("A partner portal on CKAN (such as DataGrandEst) or with a "
                                "CKAN-compatible API (DKAN): its datasets through the action "
                                "API"),
            "form_config_interface": "Text",
        }

    def validate_config(self, source_config: str | None) -> str | None:
        source_config = GrandEstHarvester.validate_config(self, source_config)
        if not source_config:
            return source_config
        _ensure_request_user()
        try:
            # The stock validation also rewrites the configuration (default groups' ids).
            return CKANHarvester.validate_config(self, source_config)
        except (ValueError, TypeError, IndexError) as e:
            raise ValueError(_stock_message(e)) from None

    def check_config(self, parsed: dict[str, Any]) -> None:
        _check_own_keys(parsed)

    # -- gather -------------------------------------------------------------------------

    def gather_records(self, source_url: str, source_config: dict[str, Any]
                       ) -> Iterator[RemoteRecord | SkippedRecord]:
        portal = portal_url(source_url)
        options = _options(source_url, source_config)
        selection = source_config.get("datasets")
        with _session(portal, source_config) as session:   # one connection for all pages
            if selection:
                packages = shown_packages(portal, list(selection), session)
            elif source_config.get("listing") == "package_list":
                packages = shown_packages(portal, listed_names(portal, session), session)
            else:
                packages = search_pages(portal, source_config, session)
            for package in packages:
                record = self._record(package, portal, options, source_config,
                                      selected=bool(selection))
                if record is not None:
                    yield record

    def _record(self, package: Any, portal: str, options: dict[str, Any],
                source_config: dict[str, Any], *, selected: bool
                ) -> RemoteRecord | SkippedRecord | None:
        if not isinstance(package, dict):
            return SkippedRecord(tk._("The portal lists an entry that is not a dataset: "
                                      "skipped"))
        name = cleaning.text(package.get("name") or package.get("id")) or "?"
        if _hidden(package) and selected:
            # Only a dataset the configuration names explicitly is worth an error in
            # every job; others are left out silently (and withdrawn if harvested before).
            return SkippedRecord(tk._("The dataset {name} is private or deleted at its "
                                      "source: it is not published").format(name=name))
        # A remote harvest source is not a dataset; filters leave datasets out.
        if _hidden(package) or package.get("type") == "harvest" \
                or _excluded(package, source_config):
            return None
        if not package.get("id"):
            return SkippedRecord(tk._("The CKAN dataset {name} has no id: it is skipped")
                                 .format(name=name))
        content = {"package": _pruned(package), "_portal": portal, "_options": options}
        return RemoteRecord(str(package["id"]), content)

    # -- import: default_extras' placeholders name the harvest object -------------------

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        token = _IMPORTING.set(harvest_object)
        try:
            return super().import_stage(harvest_object)
        finally:
            _IMPORTING.reset(token)

    # -- mapping ------------------------------------------------------------------------

    def map_record(self, content: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        table = mapping()
        package, portal = content["package"], content["_portal"]
        options = content.get("_options") or {}
        remote_id, name = str(package["id"]), cleaning.text(package.get("name"))
        title = cleaning.text(package.get("title"))
        if not title:
            raise MappingError(tk._("CKAN dataset {name} has no title: it cannot be "
                                    "published").format(name=name or remote_id))
        fields, free_extras = _read_extras(_all_extras(package, options), table, warnings)
        dataset: dict[str, Any] = {
            "title": title,
            "notes": _description(package.get("notes")) or title,
            "tags": cleaning.tags([*package["tags"],
                                   *(t.get("name") for t in options.get("default_tags", [])
                                     if isinstance(t, dict))]),
            "theme": list(dict.fromkeys([*fields.pop("theme", []),
                                         *_group_themes(package["groups"], table)])),
            "territorial_coverage": fields.pop("territorial_coverage", []),
            "license_id": _licence(package, table, warnings),
            "remote_id": remote_id,
            "identifier": fields.pop("identifier", None)
            or f"{portal}/dataset/{quote(remote_id, safe='')}",
            "remote_url": dataset_page_url(portal, name or remote_id),
            "resources": _resources(package["resources"], table, warnings),
            "extras": free_extras,
            **_dates(package, fields, warnings),
        }
        contact = _contact(package, fields, warnings)
        if contact:
            dataset["contact"] = [contact]
        start, end = fields.get("temporal_start"), fields.get("temporal_end")
        if start and end and end < start:
            warnings.append(tk._("the temporal coverage ends ({end}) before it starts ({start}): "
                                 "its end is left out").format(end=end, start=start))
            del fields["temporal_end"]
        dataset.update(fields)      # frequency, language, bbox, temporal coverage
        landing_page = cleaning.text(package.get("url"))
        if landing_page.lower().startswith(("http://", "https://")):
            dataset["url"] = landing_page
        groups = _groups(package, options)
        if groups:
            dataset["groups"] = groups
        dataset.update(_publisher(package.get("organization"), options, table))
        return dataset


# -- mapping helpers ----------------------------------------------------------------------


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _placeholders(package: dict[str, Any], options: dict[str, Any]) -> _Placeholders:
    values = _Placeholders(harvest_source_url=cleaning.text(options.get("source_url"))
                           .strip("/"), dataset_id=package["id"])
    harvest_object = _IMPORTING.get()
    if harvest_object is not None:
        values.update(harvest_source_id=harvest_object.source.id,
                      harvest_source_title=harvest_object.source.title,
                      harvest_job_id=harvest_object.harvest_job_id,
                      harvest_object_id=harvest_object.id)
    return values


def _all_extras(package: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The remote extras (first of each key) and the source's default_extras: the
    remote value wins unless override_extras."""
    extras: dict[str, Any] = {}
    for remote_key, value in package["extras"]:
        key = cleaning.text(remote_key)
        if key and key not in extras:
            extras[key] = value
    placeholders = _placeholders(package, options)
    for key, default in (options.get("default_extras") or {}).items():
        if key in extras and not options.get("override_extras"):
            continue
        extras[key] = default
        if isinstance(default, str):
            with contextlib.suppress(ValueError, IndexError):   # stray braces: as written
                extras[key] = default.format_map(placeholders)
    return extras


def _extra_text(value: Any) -> str:
    if isinstance(value, str):
        return html.unescape(value).strip()
    return json.dumps(value, ensure_ascii=False) if value is not None else ""


def _read_extras(extras: dict[str, Any], table: dict[str, Any], warnings: list[str]
                 ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Extras -> (fields of the regional schema, free extras to keep).

    An extra of the ``extras`` table fills its field if its value is valid there, else it
    is left out with a warning; one named like a field of the schema (or of CKAN) is left
    out with a warning; the remote harvester's bookkeeping is left out silently; the
    others are kept as they are.
    """
    fields: dict[str, Any] = {}
    consumed: set[str] = set()
    corners: dict[str, float] = {}
    for rule in table["extras"]:
        key, field, kind = rule["key"], rule["field"], rule["kind"]
        if key not in extras:
            continue
        consumed.add(key)
        text = _extra_text(extras[key])
        if not text or field in fields:
            continue
        if kind.startswith("bbox_"):
            corner = _number(text)
            if corner is not None:
                corners[kind] = corner
            continue
        value = _READERS[kind](text, warnings, key)
        if value is None or value == []:
            warnings.append(tk._("the extra « {key} » (« {value} ») is not a valid value of "
                                 "{field}: left out").format(key=key, value=text, field=field))
            continue
        fields[field] = value
    if "bbox" not in fields and corners:
        box = _bbox([corners.get(f"bbox_{side}") for side in ("west", "south", "east", "north")])
        if box:
            fields["bbox"] = box
        else:
            warnings.append(tk._("the extras bbox-*-* do not make a valid bounding box: "
                                 "left out"))
    free = []
    reserved = _reserved_keys()
    for key, value in extras.items():
        text = _extra_text(value)
        if key in consumed or key in table["ignored_extras"] or not text:
            continue
        if key in reserved:
            warnings.append(tk._("the extra « {key} » has the name of a field of the portal: "
                                 "left out").format(key=key))
            continue
        free.append({"key": key, "value": text})
    return fields, free


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _bbox(numbers: list[float | None]) -> str | None:
    """"west,south,east,north" if the four numbers make a box (as grandest_bbox checks)."""
    corners = [n for n in numbers if n is not None]
    if len(corners) != 4:
        return None
    west, south, east, north = corners
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return ",".join(f"{n:g}" for n in corners)


def _coordinates(geometry: Any) -> Iterator[tuple[float, float]]:
    if isinstance(geometry, list | tuple):
        if len(geometry) >= 2 and all(isinstance(n, int | float) for n in geometry[:2]):
            yield float(geometry[0]), float(geometry[1])
        else:
            for part in geometry:
                yield from _coordinates(part)


def _read_geojson(text: str, warnings: list[str], key: str) -> str | None:
    try:
        geometry = json.loads(text)
    except ValueError:
        return None
    if not isinstance(geometry, dict):
        return None
    points = list(_coordinates(geometry.get("coordinates")))
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return _bbox([min(xs), min(ys), max(xs), max(ys)])


def _items(text: str) -> list[str]:
    """A JSON list, else a single value."""
    if text.startswith("["):
        try:
            found = json.loads(text)
        except ValueError:
            return [text]
        return [cleaning.text(item) for item in cleaning.as_list(found) if cleaning.text(item)]
    return [text]


def _read_themes(text: str, warnings: list[str], key: str) -> list[str]:
    themes, unknown = [], []
    for item in _items(text):
        code = (vocab.theme_from_uri(item) if item.lower().startswith(("http://", "https://"))
                else item.upper() if item.upper() in vocab.themes()
                else _theme_labels().get(cleaning.fold(item)))
        if code:
            themes.append(code)
        else:
            unknown.append(item)
    if themes and unknown:     # the valid ones are kept, the others said
        warnings.append(tk._("the extra « {key} » names unknown themes, left out: {themes}")
                        .format(key=key, themes=", ".join(unknown)))
    return list(dict.fromkeys(themes))


def _read_territories(text: str, warnings: list[str], key: str) -> list[str]:
    keys = [vocab.territory_from_uri(item) for item in _items(text)]
    return list(dict.fromkeys(k for k in keys if k))


def _read_language(text: str, warnings: list[str], key: str) -> str | None:
    return mapping()["languages"].get(cleaning.fold(text))


def _read_email(text: str, warnings: list[str], key: str) -> str | None:
    return text if EMAIL.match(text) else None


_READERS = {
    "text": lambda text, warnings, key: text[:500],
    "name": lambda text, warnings, key: text[:200],
    "date": lambda text, warnings, key: _iso_date(text),
    "themes": _read_themes,
    "frequency": lambda text, warnings, key: vocab.frequency_for_text(text),
    "territories": _read_territories,
    "geojson": _read_geojson,
    "bbox": lambda text, warnings, key: _bbox([_number(n) for n in text.split(",")]),
    "language": _read_language,
    "email": _read_email,
}


def remote_datetime(value: Any) -> dt.datetime | None:
    """A remote date or date-time (ISO 8601, "2019-09-30 22:00:00", DKAN's French
    "mar, 10/12/2019 - 09:23"), as naive UTC; None if unreadable."""
    text = cleaning.text(value)
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        found = _FRENCH_DATE.match(" ".join(text.split()))
        if not found:
            return None
        day, month, year, hour, minute = found.groups()
        try:
            moment = dt.datetime(int(year), int(month), int(day), int(hour or 0),
                                 int(minute or 0))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _iso_date(value: Any) -> str | None:
    moment = remote_datetime(value)
    return moment.date().isoformat() if moment else None


def _dates(package: dict[str, Any], fields: dict[str, Any], warnings: list[str]
           ) -> dict[str, str]:
    """issued and modified: the extras' (DCAT dates of the data) if given, else the
    remote record's creation and update (never the harvest's date)."""
    dates = {}
    for field, key in (("issued", "metadata_created"), ("modified", "metadata_modified")):
        if field in fields:
            dates[field] = fields.pop(field)
            continue
        value = package.get(key)
        date = _iso_date(value)
        if date:
            dates[field] = date
        elif cleaning.text(value):
            warnings.append(tk._("unreadable date {field} ({value}), left empty")
                            .format(field=key, value=value))
    return dates


def _description(text: Any) -> str:
    """CKAN's notes are Markdown; some portals (DKAN, Drupal front ends) send HTML."""
    text = cleaning.text(text)
    return cleaning.markdown(text) if _HTML.search(text) else text


def _licence(package: dict[str, Any], table: dict[str, Any], warnings: list[str]) -> str:
    """The licence from its id, else its title, else its URL; "notspecified" with a
    warning when it is unknown or not open, without one when none is given."""
    given = [cleaning.text(package.get(k)) for k in ("license_id", "license_title",
                                                    "license_url")]
    for text in filter(None, given):
        licence = table["licences"].get(cleaning.fold(text)) or vocab.licence_for_text(text)
        if licence:
            return licence
    licence_id, licence_title, licence_url = given
    shown = licence_title or licence_id or licence_url
    if cleaning.fold(licence_id) in table["closed_licences"]:
        warnings.append(tk._("the licence « {text} » is not an open licence, recorded as not "
                             "specified").format(text=shown))
    elif shown:
        warnings.append(tk._("unknown licence « {text} », recorded as not specified")
                        .format(text=shown))
    return "notspecified"


def _contact(package: dict[str, Any], fields: dict[str, Any], warnings: list[str]
             ) -> dict[str, str] | None:
    """The maintainer, else the author, else the extras contact_name / contact_email (as
    ckanext-dcat writes them): one of them whole, never a name and another's address."""
    candidates = [(package.get("maintainer"), package.get("maintainer_email")),
                  (package.get("author"), package.get("author_email")),
                  (fields.pop("contact_name", None), fields.pop("contact_email", None))]
    name, email = next(((cleaning.text(n), cleaning.text(e)) for n, e in candidates
                        if cleaning.text(n) or cleaning.text(e)), ("", ""))
    return cleaning.contact(name, email, warnings)


def _group_themes(groups: list[dict[str, Any]], table: dict[str, Any]) -> list[str]:
    return [code for group in groups
            for label in (group.get("title"), group.get("name")) if label
            for code in table["groups"].get(cleaning.fold(label), [])]


def _groups(package: dict[str, Any], options: dict[str, Any]) -> list[dict[str, str]]:
    """The source's default groups, and with remote_groups=only_local the remote groups
    the portal has too (by name)."""
    names = list(options.get("default_groups") or [])
    if options.get("remote_groups") == "only_local":
        for group in package["groups"]:
            local = model.Group.by_name(cleaning.text(group.get("name")))
            if local is not None and not local.is_organization and local.state == "active":
                names.append(local.name)
    return [{"name": name} for name in dict.fromkeys(names)]


def _body_type(title: str, table: dict[str, Any]) -> str:
    folded = cleaning.fold(title)
    for prefix, body_type in table["body_types"]:
        if folded == prefix or folded.startswith(prefix + " "):
            return body_type
    return "autre"


def _organisation_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _NAME_FORBIDDEN.sub("-", folded).strip("-")[:100]


def _publisher(organisation: dict[str, Any] | None, options: dict[str, Any],
               table: dict[str, Any]) -> dict[str, Any]:
    """``owner_org`` or ``_organisation`` for the remote organisation (remote_orgs), or
    nothing: the source's organisation publishes."""
    mode = options.get("remote_orgs")
    name = _organisation_name(cleaning.text((organisation or {}).get("name")))
    if mode not in REMOTE_ORGS or len(name) < 2:
        return {}
    local = model.Group.by_name(name)
    if local is not None and local.is_organization and local.state == "active":
        return {"owner_org": local.id}
    if mode == "only_local" or organisation is None:
        return {}
    title = cleaning.text(organisation.get("title")) or name
    publisher = {"name": name, "title": title, "body_type": _body_type(title, table),
                 "description": _description(organisation.get("description"))}
    image = cleaning.text(organisation.get("image_url"))
    if image.lower().startswith(("http://", "https://")):
        publisher["image_url"] = image
    return {"_organisation": publisher}


def _resource_format(resource: dict[str, Any], table: dict[str, Any]) -> str:
    given = cleaning.text(resource.get("format"))
    if given:
        return table["formats"].get(cleaning.fold(given.lstrip(".")), given)
    found = table["formats"].get(cleaning.fold(cleaning.text(resource.get("mimetype"))))
    if found:
        return found
    extension = _EXTENSION.search(cleaning.text(resource.get("url")).split("?", 1)[0])
    return table["formats"].get(cleaning.fold(extension[1]), "") if extension else ""


def _size(value: Any) -> int | None:
    """Bytes from 1955, "1955", "42 octets" or "1,2 Mo"; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    found = _SIZE.match(cleaning.text(value))
    if not found:
        return None
    number, unit = float(found[1].replace(",", ".")), (found[2] or "").lower()
    return int(number * _SIZE_UNITS.get(unit[:1], 1))


def _resources(resources: list[dict[str, Any]], table: dict[str, Any],
               warnings: list[str]) -> list[dict[str, Any]]:
    mapped = []
    for resource in resources:
        url = cleaning.text(resource.get("url"))
        name = cleaning.text(resource.get("name"))
        if not url.lower().startswith(("http://", "https://")):
            warnings.append(tk._("the resource « {name} » has no web address: left out")
                            .format(name=name or url or "?"))
            continue
        fmt = _resource_format(resource, table)
        item: dict[str, Any] = {
            "url": url, "format": fmt,
            "name": name or url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or fmt or url,
        }
        description = _description(resource.get("description"))
        if description:
            item["description"] = description
        mimetype = cleaning.text(resource.get("mimetype")).lower()
        if _MEDIA_TYPE.match(mimetype):
            item["mimetype"] = mimetype
        size = _size(resource.get("size"))
        if size is not None:
            item["size"] = size
        modified = remote_datetime(resource.get("last_modified"))
        if modified:
            item["last_modified"] = modified.isoformat(timespec="seconds")
        mapped.append(item)
    return mapped
