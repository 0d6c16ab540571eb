"""Cross-source deduplication: a harvested record does not create a dataset the portal
already has, from another source or published by a partner by hand.

A record about to *create* a dataset (it feeds none yet, or only a deleted one) is the
same dataset as an existing one when they share:

- their ``identifier`` (dct:identifier), if it is global: a URI (``http(s)://``,
  ``urn:``, ``doi:``, ``ark:``) or a UUID. A local identifier (an Opendatasoft
  ``dataset_id`` such as ``budget-primitif``) is only unique within its portal: two
  portals may use it for two different datasets;
- their landing page (``remote_url``, or CKAN's ``url``), whether ``http`` or ``https``,
  with or without a final slash;
- their ``remote_id`` on the same platform (``source_platform``): an Opendatasoft
  ``dataset_uid``, a CKAN package id, a CSW ``fileIdentifier``… only mean something there.

Existing means active, public or private (a draft or deleted dataset does not count),
and not fed by the record's own source: a record that already feeds a dataset keeps
updating it, and a source's own records are its gather's business. The record is then
not imported: its harvest object gets an error naming the existing dataset and who holds
it, at every harvest until one of the two datasets goes.

The lookup is one query on indexed expressions (migration of the ``grandest_harvest``
plugin), cheap next to the creation of a dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestObject, HarvestSource

_GLOBAL_IDENTIFIER = re.compile(
    r"^(?:https?://\S+|urn:\S+|doi:\S+|ark:/\S+"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.IGNORECASE)
_WEB = re.compile(r"^https?://", re.IGNORECASE)

_package = model.package_table


def _extra(name: str) -> sa.ColumnElement[str]:
    return _package.c.extras[name].astext


@dataclass(frozen=True)
class _Key:
    """What two datasets share, as the report words it, and its value."""

    label: str
    value: str


# Built once: the lookup runs for every record that creates a dataset.
_LOOKUP = (
    sa.select(_package.c.id, _package.c.name, _package.c.title, _package.c.owner_org,
              _package.c.url, _extra("identifier").label("identifier"),
              _extra("remote_url").label("remote_url"), _extra("remote_id").label("remote_id"))
    .where(
        _package.c.state == "active",
        _package.c.type == sa.bindparam("type"),
        sa.or_(_extra("identifier").in_(sa.bindparam("identifiers", expanding=True)),
               _extra("remote_url").in_(sa.bindparam("pages", expanding=True)),
               _package.c.url.in_(sa.bindparam("urls", expanding=True)),
               sa.and_(_extra("remote_id") == sa.bindparam("remote_id"),
                       _extra("source_platform") == sa.bindparam("platform"))),
        ~sa.exists().where(HarvestObject.package_id == _package.c.id,
                           HarvestObject.harvest_source_id == sa.bindparam("source_id")))
    .order_by(_package.c.metadata_created)
    .limit(1)
)


def conflict(harvest_object: HarvestObject, dataset: dict[str, Any], platform: str
             ) -> str | None:
    """The report's message if the record would create a dataset the portal already has
    (see the module's rules), else None. ``dataset`` is the record's mapped dataset."""
    if not _creates(harvest_object):
        return None
    identifier = str(dataset.get("identifier") or "").strip()
    identifiers = _variants(identifier) if _GLOBAL_IDENTIFIER.match(identifier) else []
    pages = [v for field in ("remote_url", "url") for v in _variants(dataset.get(field))]
    remote_id = str(dataset.get("remote_id") or harvest_object.guid or "").strip()
    if not (identifiers or pages or (remote_id and platform)):
        return None
    found = model.Session.execute(_LOOKUP, {
        "type": dataset.get("type") or "dataset", "identifiers": identifiers,
        "pages": pages, "urls": pages, "remote_id": remote_id or None,
        "platform": platform or None, "source_id": harvest_object.harvest_source_id,
    }).first()
    if found is None:
        return None
    if found.identifier in identifiers:
        key = _Key(tk._("the same identifier"), found.identifier)
    elif found.remote_url in pages or found.url in pages:
        key = _Key(tk._("the same landing page"),
                   found.remote_url if found.remote_url in pages else found.url)
    else:
        key = _Key(tk._("the same remote identifier on the same platform"), found.remote_id)
    return _message(harvest_object.guid, found, key)


def _creates(harvest_object: HarvestObject) -> bool:
    """Whether importing the object creates a dataset (or brings back a deleted one)."""
    if not harvest_object.package_id:
        return True
    package = model.Package.get(harvest_object.package_id)
    return package is None or package.state == "deleted"


def _variants(value: Any) -> list[str]:
    """The forms under which a value may have been stored: a web address with http or
    https, with or without its final slash; anything else as it is."""
    text = str(value or "").strip()
    if not text:
        return []
    if not _WEB.match(text):
        return [text]
    rest = _WEB.sub("", text)
    bare = rest.rstrip("/")
    return list(dict.fromkeys(f"{scheme}://{path}" for scheme in ("https", "http")
                              for path in (rest, bare, bare + "/")))


def _message(guid: str, existing: sa.Row[Any], key: _Key) -> str:
    """The report's message: the record, the dataset it duplicates, and who holds it."""
    source = model.Session.execute(
        sa.select(HarvestSource.id, HarvestSource.title, HarvestSource.url).join(
            HarvestObject, HarvestObject.harvest_source_id == HarvestSource.id)
        .where(HarvestObject.package_id == existing.id, HarvestObject.current.is_(True))
        .limit(1)).first()
    if source is not None:
        source_dataset = model.Package.get(source.id)
        holder = tk._("it is harvested by the source « {source} » ({organisation})").format(
            source=source.title or source.url,
            organisation=_organisation(source_dataset.owner_org if source_dataset else None))
    else:
        holder = tk._("it was published by hand on the portal")
    return tk._("Record {guid} not imported, to avoid a duplicate: the dataset « {title} » "
                "({organisation}, {address}) already has {key} ({value}); {holder}.").format(
        guid=guid, title=existing.title, organisation=_organisation(existing.owner_org),
        address=f"{tk.config['ckan.site_url'].rstrip('/')}/dataset/{existing.name}",
        key=key.label, value=key.value, holder=holder)


def _organisation(group_id: str | None) -> str:
    group = model.Group.get(group_id) if group_id else None
    return (group.title or group.name) if group else tk._("no organisation")
