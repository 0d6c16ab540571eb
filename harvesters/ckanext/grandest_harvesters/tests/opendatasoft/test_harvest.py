"""Harvesting a generated Opendatasoft portal: first harvest, unchanged re-harvest, a
renamed dataset_id, datasets leaving the source, a listing that fails midway."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest import vocabularies as vocab
from ckanext.grandest_harvesters.peers import opendatasoft as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerServer

LISTING = f"{fixture.API_PREFIX}/catalog/datasets"


def _public(datasets) -> list[dict]:
    return [d for d in datasets if d["visibility"] == "domain"]


def _titled(datasets) -> list[dict]:
    return [d for d in _public(datasets) if d["metas"]["default"]["title"]]


def _unknown_licence(dataset) -> bool:
    default = dataset["metas"]["default"]
    given = [t for t in (default["license"], default["license_url"]) if t]
    return bool(given) and not any(vocab.licence_for_text(t) for t in given)


def _modified() -> dict[str, object]:
    return dict(model.Session.query(model.Package.name, model.Package.metadata_modified))


def _active_count() -> int:
    return model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset").count()


@pytest.fixture
def large_portal():
    """1,000 generated datasets (about 1% restricted), two of them without a title and
    one listed twice."""
    datasets = fixture.generate_catalogue(1000)
    public = _public(datasets)
    for target in (public[10], public[500]):
        datasets = fixture.with_untitled_dataset(datasets, target["dataset_id"])
    datasets = fixture.with_duplicate_dataset(datasets, public[42]["dataset_id"])
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        peer.datasets = datasets
        yield peer


def test_first_harvest_then_unchanged_reharvest(large_portal, make_source, run_harvest):
    datasets = large_portal.datasets
    titled = {d["dataset_uid"]: d for d in _titled(datasets)}
    untitled = {d["dataset_uid"] for d in _public(datasets)} - titled.keys()
    hidden = {d["dataset_uid"] for d in datasets if d["visibility"] != "domain"}
    warned = {uid for uid, d in titled.items() if _unknown_licence(d)}
    assert len(titled) >= 950 and len(untitled) == 2 and hidden and warned
    source = make_source(large_portal.url, "opendatasoft")

    first = run_harvest(source)
    assert first.job["status"] == "Finished"
    # errored: the untitled datasets, those imported with a warning, the duplicate's
    # gather error
    assert first.stats == {"added": len(titled),
                           "errored": len(untitled) + len(warned) + 1}
    for uid in untitled:
        dataset_id = next(d["dataset_id"] for d in datasets if d["dataset_uid"] == uid)
        assert first.errors(uid) == [
            f"Le jeu de données Opendatasoft {dataset_id} n'a pas de titre : il ne peut pas "
            "être publié"
        ]
    for uid in warned:                      # imported as "not specified", with a warning
        (warning,) = first.errors(uid)
        assert "inconnue, enregistrée comme non précisée" in warning
        assert first.objects[uid].report_status == "added"
    assert not hidden & set(first.objects)  # restricted datasets are never published
    (duplicate,) = first.gather_errors
    assert "deux fois" in duplicate
    assert call_action("package_search", rows=0)["count"] == len(titled)
    # 1,001 entries listed 100 at a time, every request within the API's limit.
    listing = [s for s in large_portal.seen if s.path == LISTING]
    assert len(listing) == 11
    assert all("limit=100" in s.query_string for s in listing)

    before = _modified()
    second = run_harvest(source)
    assert second.job["status"] == "Finished"
    # Untitled datasets are retried (and fail again); nothing else is written.
    assert second.stats == {"not modified": len(titled), "errored": len(untitled) + 1}
    assert _modified() == before


@pytest.fixture
def small_portal():
    datasets = fixture.generate_catalogue(30, seed=11)
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        peer.datasets = datasets
        yield peer


def test_a_renamed_dataset_id_updates_the_same_dataset(small_portal, make_source, run_harvest):
    source = make_source(small_portal.url, "opendatasoft")
    first = run_harvest(source)
    target = _titled(small_portal.datasets)[4]
    uid, old_id = target["dataset_uid"], target["dataset_id"]
    package_id = first.objects[uid].package_id
    name = model.Package.get(package_id).name
    count = _active_count()

    renamed = fixture.with_renamed_dataset(small_portal.datasets, old_id, "arbres-2024")
    small_portal.replace_routes(fixture.opendatasoft_routes(renamed))
    second = run_harvest(source)

    assert second.stats.get("added", 0) == 0
    assert second.objects[uid].report_status == "updated"
    assert second.objects[uid].package_id == package_id
    dataset = call_action("package_show", id=package_id)
    assert dataset["name"] == name               # the portal's URL of the dataset stays
    assert dataset["identifier"] == "arbres-2024"
    assert dataset["remote_id"] == uid
    assert dataset["remote_url"] == f"{small_portal.url}/explore/dataset/arbres-2024/"
    assert all("/catalog/datasets/arbres-2024/" in r["url"] for r in dataset["resources"])
    assert _active_count() == count              # no duplicate
    assert call_action("package_search", fq=f'remote_id:"{uid}"')["count"] == 1


def test_datasets_leaving_the_source_are_withdrawn(small_portal, make_source, run_harvest):
    source = make_source(small_portal.url, "opendatasoft")
    first = run_harvest(source)
    removed, restricted = _titled(small_portal.datasets)[:2]
    count = _active_count()

    changed = fixture.without_dataset(small_portal.datasets, removed["dataset_id"])
    for dataset in changed:
        if dataset["dataset_uid"] == restricted["dataset_uid"]:
            dataset["visibility"] = "restricted"        # no longer public
    small_portal.replace_routes(fixture.opendatasoft_routes(changed))
    second = run_harvest(source)

    assert second.stats["deleted"] == 2
    for gone in (removed, restricted):
        assert model.Package.get(first.objects[gone["dataset_uid"]].package_id).state \
            == "deleted"
    assert _active_count() == count - 2


def test_a_listing_that_fails_midway_withdraws_nothing(make_source, run_harvest):
    datasets = fixture.generate_catalogue(120, seed=5)
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        source = make_source(peer.url, "opendatasoft")
        run_harvest(source)
        count = _active_count()
        peer.set_fault(LISTING, Fault.truncated(), query={"offset": "100"})
        failed = run_harvest(source)
    assert failed.job["status"] == "Finished"
    (error,) = failed.gather_errors
    assert error.startswith("La source n'a pas pu être lue entièrement (Catalogue Opendatasoft "
                            "illisible à ")
    assert failed.stats.get("deleted", 0) == 0
    first_page = [d for d in _titled(datasets) if d in datasets[:100]]
    assert failed.stats == {"not modified": len(first_page), "errored": 1}
    assert _active_count() == count
