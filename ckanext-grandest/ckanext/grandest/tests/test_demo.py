"""The demo content loads once, is searchable, and reloading it changes nothing."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest import demo


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_seeding_is_idempotent_and_searchable():
    content = demo.load_content()
    n_orgs = len(content["organizations"])
    n_datasets = sum(len(o["datasets"]) for o in content["organizations"])
    n_sources = len(content["harvest_sources"])
    assert n_orgs >= 5 and n_datasets >= 10 and n_sources >= 1
    total = n_orgs + n_datasets + n_sources

    first = demo.seed()
    assert first == {"created": total, "kept": 0}
    assert demo.seed() == {"created": 0, "kept": total}
    # Each new harvest source has its first job queued, once.
    for source in content["harvest_sources"]:
        jobs = call_action("harvest_job_list", {"ignore_auth": True},
                           source_id=call_action("harvest_source_show", id=source["name"])["id"])
        assert [job["status"] for job in jobs] == ["Running"]

    orgs = call_action("organization_list")
    assert "region-grand-est" in orgs and len(orgs) == n_orgs
    found = call_action("package_search", q="lycees", fq="organization:region-grand-est")
    assert [d["name"] for d in found["results"]] == ["lycees-publics-grand-est"]
    assert call_action("package_search", rows=0)["count"] == n_datasets
