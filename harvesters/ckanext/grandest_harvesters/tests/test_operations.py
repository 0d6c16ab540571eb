"""Running harvest sources: who may, error e-mails, and jobs that never finish."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def legacy_source(make_source, harvest_org):
    entries = fixture.generate_catalogue(100, seed=1)    # holds untitled entries
    assert fixture.anomalies(entries)["missing_title"]
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        yield make_source(peer.url, "legacy_alsace")


def test_only_the_source_organisations_members_run_it(legacy_source, harvest_org):
    admin = factories.User()
    call_action("organization_member_create", id=harvest_org["id"], username=admin["name"],
                role="admin")
    outsider = factories.User()
    other_org = factories.Organization(body_type="commune")
    call_action("organization_member_create", id=other_org["id"],
                username=outsider["name"], role="admin")

    for action in ("harvest_job_create", "harvest_source_update"):
        data = {"source_id": legacy_source["id"], "id": legacy_source["id"]}
        assert tk.check_access(action, {"user": admin["name"]}, data)
        with pytest.raises(tk.NotAuthorized):
            tk.check_access(action, {"user": outsider["name"]}, data)


def test_a_job_with_errors_emails_the_organisation_admins(legacy_source, harvest_org,
                                                          run_harvest, mail_server):
    admin = factories.User(email="admin-sig@grandest.fr")
    call_action("organization_member_create", id=harvest_org["id"], username=admin["name"],
                role="admin")
    run = run_harvest(legacy_source)
    assert run.stats["errored"] > 0
    recipients = {to for _, _, tos, _ in mail_server.get_smtp_messages() for to in tos}
    assert "admin-sig@grandest.fr" in recipients


def test_a_stale_job_is_finished_with_an_error(legacy_source):
    context = {"ignore_auth": True, "user": ""}
    job = call_action("harvest_job_create", context, source_id=legacy_source["id"],
                      run=False)
    stale = HarvestJob.get(job["id"])
    stale.status = "Running"
    stale.created = stale.gather_started = dt.datetime.utcnow() - dt.timedelta(hours=3)
    stale.save()

    call_action("harvest_jobs_run", context, source_id=legacy_source["id"])   # the scheduler

    finished = HarvestJob.get(job["id"])
    assert finished.status == "Finished"
    assert any("timeout" in e.message for e in finished.gather_errors)
