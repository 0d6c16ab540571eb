"""CKAN's clean_db re-creates core tables only: ours also re-migrates the plugins' tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.mark.usefixtures("clean_db")
def test_clean_db_migrates_the_plugins_tables():
    tables = set(sa.inspect(model.Session.get_bind()).get_table_names())
    assert {"package", "harvest_source", "harvest_job", "harvest_object", "activity"} <= tables


@pytest.mark.usefixtures("clean_db")
def test_datastore_is_writable_and_readable_through_its_own_database():
    dataset = factories.Dataset(owner_org=factories.Organization(body_type="commune")["id"])
    resource = factories.Resource(package_id=dataset["id"])
    context = {"user": factories.Sysadmin()["name"]}
    call_action("datastore_create", context, resource_id=resource["id"], force=True,
                fields=[{"id": "commune", "type": "text"}, {"id": "habitants", "type": "int"}],
                records=[{"commune": "Strasbourg", "habitants": 291313},
                         {"commune": "Épinal", "habitants": 31701}])
    found = call_action("datastore_search", resource_id=resource["id"], q="Épinal")
    assert [r["habitants"] for r in found["records"]] == [31701]
