"""Redirects from the former Open Data Alsace URLs to the datasets that replaced them."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, redirect, request

from ckanext.grandest_harvesters.legacy_alsace import LegacyAlsaceHarvester

legacy_alsace = Blueprint("legacy_alsace", __name__)

# OData $format -> resource format on the portal; no $format is the AtomPub feed.
_RESOURCE_FORMAT = {"csv": "CSV", "json": "JSON", None: "ATOM"}


def _dataset_of(legacy_id: str) -> model.Package | None:
    # Extras are a JSONB object on the package row: one indexed containment query.
    wanted = {"remote_id": legacy_id, "source_platform": LegacyAlsaceHarvester.platform}
    return (
        model.Session.query(model.Package)
        .filter(model.Package.extras.contains(wanted), model.Package.state == "active",
                model.Package.private.is_(False))
        .first()
    )


def _not_found(legacy_id: str):
    return tk.abort(404, tk._("The former Open Data Alsace dataset {id} is not on this "
                              "portal.").format(id=legacy_id))


@legacy_alsace.route("/legacy/alsace/<legacy_id>")
def dataset(legacy_id: str):
    package = _dataset_of(legacy_id)
    if package is None:
        return _not_found(legacy_id)
    return redirect(tk.url_for("dataset.read", id=package.name), code=301)


@legacy_alsace.route("/dataserver/<org_code>/data/<legacy_id>")
def data(org_code: str, legacy_id: str):
    package = _dataset_of(legacy_id)
    if package is None:
        return _not_found(legacy_id)
    odata_format = (request.args.get("$format") or "").lower() or None
    wanted = _RESOURCE_FORMAT.get(odata_format)
    for resource in package.resources:
        if resource.format and resource.format.upper() == wanted:
            return redirect(tk.url_for("resource.read", id=package.name,
                                       resource_id=resource.id), code=301)
    return redirect(tk.url_for("dataset.read", id=package.name), code=301)


def get_blueprints() -> list[Blueprint]:
    return [legacy_alsace]
