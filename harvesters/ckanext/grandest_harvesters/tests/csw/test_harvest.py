"""Harvesting a generated CSW catalogue again: unchanged, changed, records leaving it."""

from __future__ import annotations

import copy

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import csw as fixture


def _modified() -> dict[str, object]:
    return dict(model.Session.query(model.Package.name, model.Package.metadata_modified)
                .filter(model.Package.type == "dataset"))


def _datasets(records) -> list[dict]:
    return [r for r in records if r["hierarchy"] != "service"]


def test_an_unchanged_catalogue_is_not_modified(generated, make_source, run_harvest):
    source = make_source(generated.csw_url, "grandest_csw", {"page_size": 20})
    first = run_harvest(source)
    count = len(_datasets(generated.records))
    assert first.stats["added"] == count
    before = _modified()

    second = run_harvest(source)
    assert second.job["status"] == "Finished"
    # The proprietary-licence records are mapped again only if they changed: not at all.
    assert second.stats == {"not modified": count}
    assert _modified() == before


def test_a_changed_record_updates_its_dataset(generated, make_source, run_harvest):
    source = make_source(generated.csw_url, "grandest_csw")
    first = run_harvest(source)
    target = _datasets(generated.records)[3]
    package_id = first.objects[target["identifier"]].package_id
    name = model.Package.get(package_id).name

    changed = copy.deepcopy(generated.records)
    for record in changed:
        if record["identifier"] == target["identifier"]:
            record["title"] = "Titre corrigé par le producteur"
            record["frequency"] = "daily"
    generated.records[:] = changed
    second = run_harvest(source)

    assert second.stats["updated"] == 1
    assert second.stats.get("added", 0) == 0
    assert second.objects[target["identifier"]].package_id == package_id
    dataset = call_action("package_show", id=package_id)
    assert (dataset["name"], dataset["title"], dataset["frequency"]) == (
        name, "Titre corrigé par le producteur", "DAILY")


def test_records_leaving_the_catalogue_are_withdrawn(generated, make_source, run_harvest):
    source = make_source(generated.csw_url, "grandest_csw")
    first = run_harvest(source)
    removed, turned_service = _datasets(generated.records)[:2]
    count = len(_datasets(generated.records))

    changed = fixture.without_record(generated.records, removed["identifier"])
    for record in changed:
        if record["identifier"] == turned_service["identifier"]:
            record["hierarchy"] = "service"     # no longer a dataset
    generated.records[:] = changed
    second = run_harvest(source)

    assert second.stats == {"deleted": 2, "not modified": count - 2}
    for gone in (removed, turned_service):
        assert model.Package.get(first.objects[gone["identifier"]].package_id).state \
            == "deleted"
    assert call_action("package_search", rows=0)["count"] == count - 2


def test_withdrawn_records_can_be_kept_private(generated, make_source, run_harvest):
    source = make_source(generated.csw_url, "grandest_csw", {"withdraw": "private"})
    first = run_harvest(source)
    removed = _datasets(generated.records)[0]
    generated.records[:] = fixture.without_record(generated.records, removed["identifier"])
    second = run_harvest(source)
    assert second.stats["deleted"] == 1
    package = model.Package.get(first.objects[removed["identifier"]].package_id)
    assert (package.state, package.private) == ("active", True)
