"""The demo consultations: seeded through the real actions and publication, once."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.consultation import demo
from ckanext.consultation.model import Answer, FollowUp, Release
from ckanext.grandest import demo as portal_demo

TODAY = dt.date(2025, 11, 26)


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_is_published_with_followup_and_idempotent(app):
    portal_demo.seed()
    assert demo.seed(TODAY) == {"created": 3, "kept": 0}
    counts = (model.Session.query(Answer).count(), model.Session.query(Release).count(),
              model.Session.query(FollowUp).count())
    assert demo.seed(TODAY) == {"created": 0, "kept": 3}
    assert (model.Session.query(Answer).count(), model.Session.query(Release).count(),
            model.Session.query(FollowUp).count()) == counts

    content = demo.load_content()
    published = call_action("consultation_show", id=content["published"]["name"])
    assert published["status"] == "published"
    assert published["participants"] == content["published"]["answers"]
    assert published["opens_on"] == "2025-09-12" and published["closes_on"] == "2025-09-26"
    dataset = call_action("package_show", id=published["dataset"])
    assert any(r.get("datastore_active") for r in dataset["resources"])
    followups = call_action("consultation_followup_list", consultation_id=published["id"])
    assert [f["status"] for f in followups] == ["under_study", "in_progress"]
    (suivi,) = [r for r in dataset["resources"] if r.get("consultation_table") == "suivi"]
    assert call_action("datastore_search", resource_id=suivi["id"])["total"] == 2

    listed = {c["title"]: c for c in call_action("consultation_list", limit=100)["results"]}
    assert listed[content["open"]["title"]]["status"] == "open"
    citizen = listed[content["citizen"]["title"]]
    assert citizen["status"] == "open" and citizen["origin"] == "citizen"
    assert citizen["author"] == content["citizen"]["user"]["fullname"]

    page = BeautifulSoup(app.get(f"/consultations/{published['name']}").body, "html.parser")
    assert len(page.select("canvas[data-module=consultation-chart]")) == 4
    assert len(page.select(".consultation-timeline > li")) == 2
