"""Harvesting a partner CKAN portal over time: first harvest, unchanged re-harvest, a
changed dataset, datasets deleted or turned private at the source (which the stock
harvester never applies), their return, and a listing that cannot be read entirely."""

from __future__ import annotations

import pytest
import requests
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import ckan as fixture
from ckanext.grandest_harvesters.peers.server import Fault, PeerRequest, PeerServer, Route

SEARCH = f"{fixture.API_PREFIX}/package_search"


def _titled(datasets) -> list[dict]:
    return [d for d in datasets if d["title"]]


def _modified() -> dict[str, object]:
    return dict(model.Session.query(model.Package.name, model.Package.metadata_modified)
                .filter(model.Package.type == "dataset"))


def _active_count() -> int:
    return model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset").count()


def test_first_harvest_then_unchanged_reharvest(portal, make_source, run_harvest, message):
    titled = _titled(portal.datasets)
    (untitled,) = [d for d in portal.datasets if not d["title"]]
    source = make_source(portal.url, "grandest_ckan")

    first = run_harvest(source)
    assert first.job["status"] == "Finished"
    assert first.stats["added"] == len(titled)
    assert set(first.objects) == {d["id"] for d in portal.datasets}
    assert first.errors(untitled["id"]) == [message(
        "CKAN dataset {name} has no title: it cannot be published", name=untitled["name"])]
    assert call_action("package_search", rows=0)["count"] == len(titled)
    for remote in titled[:5]:
        dataset = call_action("package_show", id=first.objects[remote["id"]].package_id)
        assert dataset["title"] == remote["title"]
        assert dataset["remote_id"] == remote["id"]
        assert dataset["issued"].startswith(remote["metadata_created"][:10])
        assert dataset["modified"].startswith(remote["metadata_modified"][:10])

    before = _modified()
    second = run_harvest(source)
    # The untitled dataset is tried again (and fails again); nothing else is written.
    assert second.stats == {"not modified": len(titled), "errored": 1}
    assert _modified() == before

    # Visits counted by the partner's portal are not a change of the dataset.
    portal.datasets[:] = fixture.with_new_views(portal.datasets)
    third = run_harvest(source)
    assert third.stats == {"not modified": len(titled), "errored": 1}
    assert _modified() == before


def test_a_changed_dataset_updates_only_itself(portal, make_source, run_harvest):
    source = make_source(portal.url, "grandest_ckan")
    first = run_harvest(source)
    target = _titled(portal.datasets)[3]
    package_id = first.objects[target["id"]].package_id
    name = model.Package.get(package_id).name
    before = _modified()

    portal.datasets[:] = fixture.with_changed_dataset(
        portal.datasets, target["name"], title="Arbres d'alignement (mise à jour)",
        name="arbres-d-alignement-2024")
    second = run_harvest(source)

    assert second.stats == {"updated": 1, "not modified": len(_titled(portal.datasets)) - 1,
                            "errored": 1}
    assert second.objects[target["id"]].package_id == package_id
    dataset = call_action("package_show", id=package_id)
    assert dataset["title"] == "Arbres d'alignement (mise à jour)"
    assert dataset["name"] == name              # the portal's URL of the dataset stays
    assert dataset["remote_url"].endswith("/dataset/arbres-d-alignement-2024")
    after = _modified()
    assert {k for k in after if after[k] != before[k]} == {name}


@pytest.mark.parametrize("withdraw", ["delete", "private"])
def test_deleted_and_private_datasets_are_withdrawn_then_revived(
        portal, make_source, run_harvest, withdraw):
    """A dataset purged, deleted (state "deleted") or turned private at the source leaves
    its listing: it is withdrawn. Back in the listing, the same dataset comes back."""
    source = make_source(portal.url, "grandest_ckan", {"withdraw": withdraw})
    first = run_harvest(source)
    purged, deleted, private = _titled(portal.datasets)[:3]
    original = list(portal.datasets)
    count = _active_count()

    changed = fixture.without_dataset(portal.datasets, purged["name"])
    changed = fixture.with_deleted_dataset(changed, deleted["name"])
    portal.datasets[:] = fixture.with_private_dataset(changed, private["name"])
    second = run_harvest(source)

    assert second.stats["deleted"] == 3
    for gone in (purged, deleted, private):
        package = model.Package.get(first.objects[gone["id"]].package_id)
        assert (package.state, package.private) == (
            ("deleted", False) if withdraw == "delete" else ("active", True))
    assert call_action("package_search", rows=0)["count"] == count - 3
    # A third harvest has nothing more to withdraw.
    assert run_harvest(source).stats.get("deleted", 0) == 0

    portal.datasets[:] = original
    revived = run_harvest(source)
    assert revived.stats.get("added", 0) == 0 and revived.stats["updated"] == 3
    for back in (purged, deleted, private):
        assert revived.objects[back["id"]].package_id == first.objects[back["id"]].package_id
        package = model.Package.get(revived.objects[back["id"]].package_id)
        assert (package.state, package.private) == ("active", False)
    assert _active_count() == count


def test_private_and_deleted_flags_in_the_listing_withdraw(make_source, run_harvest):
    """A portal whose API lists its private and deleted datasets too (as the DKAN of the
    corpus does): the flags, not only the absence, withdraw the dataset."""
    datasets = fixture.generate_catalogue(12, seed=8)
    with PeerServer(fixture.ckan_routes(datasets, lists_hidden=True)) as peer:
        source = make_source(peer.url, "grandest_ckan")
        first = run_harvest(source)
        private, deleted = _titled(datasets)[:2]
        datasets[:] = fixture.with_deleted_dataset(
            fixture.with_private_dataset(datasets, private["name"]), deleted["name"])
        second = run_harvest(source)
        listed = {d["id"] for d in requests.get(f"{peer.url}{SEARCH}", params={"rows": 100},
                                                timeout=10).json()["result"]["results"]}
    assert {private["id"], deleted["id"]} <= listed          # still listed, flagged
    assert second.stats["deleted"] == 2
    for gone in (private, deleted):
        assert model.Package.get(first.objects[gone["id"]].package_id).state == "deleted"


def test_a_listing_that_cannot_be_read_entirely_withdraws_nothing(
        portal, make_source, run_harvest, message):
    source = make_source(portal.url, "grandest_ckan")
    run_harvest(source)
    count = _active_count()
    removed = _titled(portal.datasets)[0]
    portal.datasets[:] = fixture.without_dataset(portal.datasets, removed["name"])

    # The portal announces more datasets than it lists.
    search = fixture.ckan_routes(portal.datasets)[0].handler

    def overcounting(request: PeerRequest):
        status, headers, body = search(request)
        return status, headers, body.replace(b'"count": 29', b'"count": 35')

    portal.replace_routes([Route(SEARCH, overcounting), *fixture.ckan_routes(portal.datasets)])
    short = run_harvest(source)
    assert short.gather_errors == [message(
        "The source could not be read entirely ({error}); datasets missing from it are kept "
        "until a complete harvest", error=message(
            "The portal announced {count} datasets but listed only {received}",
            count=35, received=29))]
    assert short.stats.get("deleted", 0) == 0

    # A truncated answer.
    portal.replace_routes(fixture.ckan_routes(portal.datasets))
    portal.set_fault(SEARCH, Fault.truncated())
    broken = run_harvest(source)
    (error,) = broken.gather_errors
    first_page = f"{portal.url}{SEARCH}?rows=100&start=0&sort=id+asc"
    assert message("Unreadable CKAN API answer at {url}: {error}", url=first_page,
                   error="") in error
    assert broken.stats.get("deleted", 0) == 0
    assert _active_count() == count

    portal.clear_faults()
    assert run_harvest(source).stats["deleted"] == 1
