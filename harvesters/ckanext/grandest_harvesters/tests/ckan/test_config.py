"""The source configuration: the stock CKAN harvester's keys and their validation, the
keys this harvester adds, and who may map remote organisations onto the portal's."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.grandest_harvesters.ckan import GrandEstCKANHarvester


def _validate(config: dict) -> dict:
    return json.loads(GrandEstCKANHarvester().validate_config(json.dumps(config)))


@pytest.mark.usefixtures("clean_db", "with_request_context")
def test_the_stock_keys_are_accepted_and_checked_as_the_stock_harvester_does():
    group = factories.Group(name="mobilite")
    config = {"api_version": 3, "api_key": "abc", "default_tags": [{"name": "partenaire"}],
              "default_groups": ["mobilite"], "default_extras": {"source": "{dataset_id}"},
              "override_extras": True, "organizations_filter_include": ["ville-de-metz"],
              "groups_filter_exclude": ["citoyennete"], "force_all": True, "read_only": False,
              "remote_groups": "only_local", "withdraw": "private"}
    validated = _validate(config)
    # As the stock harvester, the default groups are resolved once, at validation.
    assert [g["id"] for g in validated["default_group_dicts"]] == [group["id"]]
    assert {k: v for k, v in validated.items() if k != "default_group_dicts"} == config


@pytest.mark.parametrize("config", [
    {"listing": "package_list"},
    {"datasets": ["arbres-de-metz", "0255c03e-5d90-419e-b2d7-ffdebe73554e"]},
    {"remote_orgs": "create"},          # by the system (CLI, demo seeding): allowed
    {"remote_orgs": "only_local"},
])
def test_the_keys_of_this_harvester(with_request_context, config):
    assert _validate(config) == config


@pytest.mark.parametrize(("config", "msgid"), [
    ({"api_version": "trois"}, "api_version must be an integer"),
    ({"default_tags": "mobilité"}, "default_tags must be a list"),
    ({"default_tags": ["mobilité"]}, "default_tags must be a list of dictionaries"),
    ({"default_groups": ["inconnu"]}, "Default group not found"),
    ({"default_extras": ["a"]}, "default_extras must be a dictionary"),
    ({"organizations_filter_include": ["a"], "organizations_filter_exclude": ["b"]},
     "organizations_filter_include and organizations_filter_exclude cannot be used together"),
    ({"force_all": "oui"}, "force_all must be true or false"),
    ({"listing": "current_package_list"}, "listing must be package_search or package_list"),
    ({"datasets": []}, "datasets must be a list of dataset names or ids"),
    ({"datasets": ["a"], "listing": "package_list"},
     "datasets and listing cannot be used together"),
    ({"groups_filter_include": "mobilite"}, "{key} must be a list of names"),
    ({"api_key": 12}, "api_key must be a string"),
    ({"remote_groups": "create"}, "remote_groups can only be only_local: the portal's groups "
                                  "are not created by harvests"),
    ({"remote_orgs": "all"}, "remote_orgs must be only_local or create"),
    ({"withdraw": "archive"}, "withdraw must be delete or private"),
    (["api_version", 3], "The configuration must be a JSON object"),
])
@pytest.mark.usefixtures("clean_db")
def test_invalid_configurations(message, config, msgid):
    with pytest.raises(ValueError) as error:
        GrandEstCKANHarvester().validate_config(json.dumps(config))
    assert str(error.value) == message(msgid, key="groups_filter_include")


def _create_source(app, user: dict, org: dict, config: dict):
    name = f"partenaire-{len(json.dumps(config))}"
    return app.post("/api/3/action/harvest_source_create", json={
        "name": name, "title": name, "url": f"https://data.partenaire.example/{name}",
        "source_type": "grandest_ckan", "owner_org": org["id"], "frequency": "MANUAL",
        "config": json.dumps(config)}, headers={"Authorization": user["token"]})


@pytest.mark.usefixtures("clean_db")
def test_only_sysadmins_map_remote_organisations(app):
    """remote_orgs publishes into other organisations than the source's: an organisation's
    admin may run a CKAN source for it, but not set remote_orgs."""
    admin = factories.UserWithToken()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}],
                                 body_type="commune")
    refused = _create_source(app, admin, org, {"remote_orgs": "create"})
    assert refused.status_code == 409, refused.json
    with app.flask_app.test_request_context():     # the portal's language, as the API's
        expected = tk._("Only sysadmins may set remote_orgs: it publishes datasets in other "
                        "organisations than the source's")
    (error,) = refused.json["error"]["config"]
    assert error.endswith(expected)
    assert _create_source(app, admin, org, {"withdraw": "private"}).status_code == 200

    sysadmin = factories.SysadminWithToken()
    created = _create_source(app, sysadmin, org, {"remote_orgs": "create",
                                                  "organizations_filter_include": ["metz"]})
    assert created.status_code == 200, created.json
