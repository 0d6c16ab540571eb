"""Cross-source deduplication: a record does not create a dataset the portal already has.

Two sources on the same remote catalogues (local peers): the second source's records that
the first already published are reported as conflicts, naming the dataset and who holds
it, and create nothing, at every harvest, until the first dataset is deleted; its other
records are imported as usual. Datasets published by hand count too.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters import dedup
from ckanext.grandest_harvesters.peers import legacy_alsace as legacy
from ckanext.grandest_harvesters.peers import opendatasoft as ods
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def partner_org(harvest_org):
    return factories.Organization(name="eurometropole-strasbourg",
                                  title="Eurométropole de Strasbourg", body_type="epci")


@pytest.fixture
def sysadmin(harvest_org):
    return {"user": factories.Sysadmin()["name"]}


@pytest.fixture
def source(harvest_org, sysadmin):
    """Creates a harvest source of an organisation (the Region's by default)."""

    def make(url: str, source_type: str, name: str, org: dict[str, Any] | None = None,
             config: dict[str, Any] | None = None) -> dict[str, Any]:
        return tk.get_action("harvest_source_create")(
            dict(sysadmin),
            {"name": name, "title": name.replace("-", " ").capitalize(), "url": url,
             "source_type": source_type, "owner_org": (org or harvest_org)["id"],
             "frequency": "MANUAL", "config": json.dumps(config) if config else ""})

    return make


def _active() -> dict[str, list[str]]:
    """remote_id -> names of the active datasets carrying it."""
    found: dict[str, list[str]] = {}
    for name, remote_id in model.Session.query(
            model.Package.name, model.Package.extras["remote_id"].astext).filter(
            model.Package.type == "dataset", model.Package.state == "active"):
        found.setdefault(remote_id, []).append(name)
    return found


def _harvestable_legacy(entries: list[dict[str, Any]]) -> list[str]:
    anomalies = legacy.anomalies(entries)
    skipped = set(anomalies["not_public"]) | set(anomalies["missing_title"])
    return [e["id"] for e in entries if e["id"] not in skipped]


def _renumbered(entry: dict[str, Any], new_id: str) -> dict[str, Any]:
    """A legacy entry under another id (and so another URI)."""
    text = json.dumps(entry, ensure_ascii=False).replace(f"'{entry['id']}'", f"'{new_id}'")
    renumbered = json.loads(text)
    renumbered["id"] = new_id
    return renumbered


def _harvestable_ods(datasets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in datasets
            if d["visibility"] == "domain" and d["metas"]["default"]["title"]]


def _check_conflict(message: str, dataset: dict[str, Any], holder: str, key: str) -> None:
    """The report names the existing dataset (title and address), its holder and the key."""
    assert dataset["title"] in message
    assert f"/dataset/{dataset['name']}" in message
    assert holder in message
    assert key in message


# -- two legacy sources on the same catalogue: the same identifier ----------------------------


@pytest.fixture
def legacy_catalogues():
    """The same legacy entries served by two peers (their URIs, the datasets' identifiers,
    are the platform's: http://opendata.alsace.fr/…); the second peer has three more."""
    entries = legacy.generate_catalogue(12, seed=21)
    extra = [_renumbered(e, f"cral-9{i:05d}") for i, e in
             enumerate(legacy.generate_catalogue(3, seed=22), start=1)]
    with PeerServer(legacy.legacy_alsace_routes(entries, rewrite_base=False)) as first, \
            PeerServer(legacy.legacy_alsace_routes(entries + extra, rewrite_base=False)) \
            as second:
        yield first, second, entries, extra


def test_same_identifier_from_a_second_source_is_a_reported_conflict(
        legacy_catalogues, source, partner_org, run_harvest):
    first_peer, second_peer, entries, extra = legacy_catalogues
    shared, own = _harvestable_legacy(entries), _harvestable_legacy(extra)
    assert len(shared) >= 8 and own
    region = source(first_peer.url, "legacy_alsace", "alsace-region")
    partner = source(second_peer.url, "legacy_alsace", "alsace-partenaire", partner_org)

    first = run_harvest(region)
    assert first.stats["added"] == len(shared)
    second = run_harvest(partner)

    assert second.job["status"] == "Finished"
    assert second.stats["added"] == len(own)          # unrelated datasets are imported
    assert second.stats["errored"] >= len(shared)
    for guid in shared:
        assert second.objects[guid].package_id is None
        assert second.objects[guid].report_status == "errored"
        (message,) = second.errors(guid)
        existing = call_action("package_show", id=first.objects[guid].package_id)
        _check_conflict(message, existing, "Alsace region", existing["identifier"])
        assert "Région Grand Est" in message
    active = _active()
    assert sorted(active) == sorted(shared + own)
    assert all(len(names) == 1 for names in active.values())
    assert call_action("package_search", rows=0)["count"] == len(shared) + len(own)


def test_a_conflict_is_reported_again_until_the_first_dataset_is_deleted(
        legacy_catalogues, source, partner_org, run_harvest, sysadmin):
    first_peer, second_peer, entries, extra = legacy_catalogues
    shared, own = _harvestable_legacy(entries), _harvestable_legacy(extra)
    region = source(first_peer.url, "legacy_alsace", "alsace-region")
    partner = source(second_peer.url, "legacy_alsace", "alsace-partenaire", partner_org)
    first = run_harvest(region)
    run_harvest(partner)

    again = run_harvest(partner)                  # nothing changed at the source
    assert again.stats.get("added", 0) == 0
    for guid in shared:
        (message,) = again.errors(guid)
        assert "Alsace region" in message
    assert sorted(_active()) == sorted(shared + own)

    # A private dataset still counts; a deleted one does not.
    private, deleted = shared[0], shared[1]
    call_action("package_patch", dict(sysadmin), id=first.objects[private].package_id,
                private=True)
    call_action("package_delete", dict(sysadmin), id=first.objects[deleted].package_id)
    after = run_harvest(partner)
    assert after.stats["added"] == 1
    assert after.objects[deleted].report_status == "added"
    assert not after.errors(deleted)
    assert after.objects[private].package_id is None and after.errors(private)
    active = _active()
    assert active[deleted] == [model.Package.get(after.objects[deleted].package_id).name]
    assert all(len(names) == 1 for names in active.values())


def test_a_record_that_feeds_a_dataset_keeps_updating_it(
        legacy_catalogues, source, partner_org, run_harvest):
    first_peer, second_peer, entries, extra = legacy_catalogues
    shared = _harvestable_legacy(entries)
    partner = source(second_peer.url, "legacy_alsace", "alsace-partenaire", partner_org)
    first = run_harvest(partner)
    # The Region's source comes second: its copies are conflicts, the partner's stay.
    region = source(first_peer.url, "legacy_alsace", "alsace-region")
    assert run_harvest(region).stats.get("added", 0) == 0

    changed = legacy.with_changed_entry(entries, shared[0])
    second_peer.replace_routes(legacy.legacy_alsace_routes(changed + extra,
                                                           rewrite_base=False))
    updated = run_harvest(partner)
    assert updated.objects[shared[0]].report_status == "updated"
    assert not updated.errors(shared[0])
    dataset = call_action("package_show", id=first.objects[shared[0]].package_id)
    assert dataset["title"].endswith("(mise à jour)")


# -- datasets published by hand ---------------------------------------------------------------


def test_a_dataset_published_by_hand_counts_as_existing(
        legacy_catalogues, source, partner_org, run_harvest, sysadmin):
    first_peer, _, entries, _ = legacy_catalogues
    shared = _harvestable_legacy(entries)
    uri = f"{legacy.LEGACY_BASE_URL}dataserver/CRAL/catalog/Source('{shared[0]}')"
    by_hand = call_action("package_create", dict(sysadmin), name="arbres-remarquables-strasbourg",
                          title="Arbres remarquables (saisie manuelle)",
                          notes="Publié par l'Eurométropole.", owner_org=partner_org["id"],
                          identifier=uri)
    deleted = call_action("package_create", dict(sysadmin), name="ancienne-copie",
                          title="Ancienne copie", notes="Supprimée.",
                          owner_org=partner_org["id"], identifier=uri.replace(
                              shared[0], shared[1]))
    call_action("package_delete", dict(sysadmin), id=deleted["id"])

    run = run_harvest(source(first_peer.url, "legacy_alsace", "alsace-region"))

    (message,) = run.errors(shared[0])
    _check_conflict(message, by_hand, "Eurométropole de Strasbourg", uri)
    assert run.objects[shared[0]].package_id is None
    assert run.stats["added"] == len(shared) - 1        # the deleted copy does not count
    assert not run.errors(shared[1])


# -- Opendatasoft: two sources on one portal, the landing page ------------------------------


@pytest.fixture
def ods_portal():
    datasets = ods.generate_catalogue(40, seed=31)
    with PeerServer(ods.opendatasoft_routes(datasets)) as peer:
        peer.datasets = datasets
        yield peer


def _most_common_theme(datasets: list[dict[str, Any]]) -> str:
    themes = [t for d in _harvestable_ods(datasets) for t in d["metas"]["default"]["theme"] or []]
    return max(set(themes), key=themes.count)


def test_two_opendatasoft_sources_on_one_portal(ods_portal, source, partner_org, run_harvest):
    harvestable = _harvestable_ods(ods_portal.datasets)
    theme = _most_common_theme(ods_portal.datasets)
    themed = {d["dataset_uid"] for d in harvestable
              if theme in (d["metas"]["default"]["theme"] or [])}
    assert 3 <= len(themed) < len(harvestable)
    region = source(ods_portal.url, "opendatasoft", "ods-theme", config={
        "refine": f"theme:{theme}"})
    partner = source(ods_portal.url, "opendatasoft", "ods-tout", partner_org)

    first = run_harvest(region)
    assert first.stats["added"] == len(themed)
    second = run_harvest(partner)

    assert second.stats["added"] == len(harvestable) - len(themed)
    for uid in themed:
        assert second.objects[uid].package_id is None
        (message,) = second.errors(uid)
        existing = call_action("package_show", id=first.objects[uid].package_id)
        _check_conflict(message, existing, "Ods theme", existing["remote_url"])
    active = _active()
    assert sorted(active) == sorted(d["dataset_uid"] for d in harvestable)
    assert all(len(names) == 1 for names in active.values())


def test_a_landing_page_matches_whatever_its_scheme_and_final_slash(
        ods_portal, source, partner_org, run_harvest, sysadmin):
    target = _harvestable_ods(ods_portal.datasets)[3]
    # The harvester's landing page is http://…/explore/dataset/{id}/ (see test_mapping).
    landing = f"{ods_portal.url}/explore/dataset/{target['dataset_id']}"
    by_hand = call_action("package_create", dict(sysadmin), name="copie-manuelle",
                          title="Copie manuelle", notes="Saisie à la main.",
                          owner_org=partner_org["id"],
                          remote_url=landing.replace("http://", "https://"))

    run = run_harvest(source(ods_portal.url, "opendatasoft", "ods"))

    (message,) = run.errors(target["dataset_uid"])
    _check_conflict(message, by_hand, "Eurométropole de Strasbourg", by_hand["remote_url"])
    assert run.objects[target["dataset_uid"]].package_id is None


def test_a_local_identifier_shared_by_two_portals_is_no_conflict(
        source, partner_org, run_harvest):
    """Opendatasoft ``dataset_id`` values are the datasets' identifiers, unique within a
    portal only: two portals may each have their own ``budget-primitif``."""
    strasbourg = ods.generate_catalogue(10, seed=41)
    mulhouse = ods.generate_catalogue(10, seed=42)
    same_id = _harvestable_ods(strasbourg)[0]["dataset_id"]
    mulhouse = ods.with_renamed_dataset(mulhouse, _harvestable_ods(mulhouse)[0]["dataset_id"],
                                        same_id)
    with PeerServer(ods.opendatasoft_routes(strasbourg)) as first, \
            PeerServer(ods.opendatasoft_routes(mulhouse)) as second:
        run_harvest(source(first.url, "opendatasoft", "strasbourg", partner_org))
        run = run_harvest(source(second.url, "opendatasoft", "mulhouse"))
    assert run.stats["added"] == len(_harvestable_ods(mulhouse))
    identifiers = [i for (i,) in model.Session.query(
        model.Package.extras["identifier"].astext).filter(model.Package.state == "active")]
    assert identifiers.count(same_id) == 2


# -- the rules, on their own ------------------------------------------------------------------


def test_global_identifiers_and_address_variants():
    assert dedup._GLOBAL_IDENTIFIER.match("https://data.strasbourg.eu/explore/dataset/x/")
    assert dedup._GLOBAL_IDENTIFIER.match("urn:isogeo:metadata:uuid:1234")
    assert dedup._GLOBAL_IDENTIFIER.match("5dd4e0b2-4d96-4f36-b73e-b78ec993703c")
    assert not dedup._GLOBAL_IDENTIFIER.match("budget-primitif-2024")
    assert not dedup._GLOBAL_IDENTIFIER.match("cral-000012")
    assert set(dedup._variants("http://a.fr/x/")) == {
        "http://a.fr/x/", "http://a.fr/x", "https://a.fr/x/", "https://a.fr/x"}
    assert dedup._variants(" IGNF_RPG ") == ["IGNF_RPG"]
    assert dedup._variants(None) == []


def test_the_lookup_can_use_the_indexes(legacy_catalogues, source, run_harvest):
    """The migration's indexes serve the lookup's expressions (the planner picks them once
    the table is large; sequential scans are switched off here to see them at once)."""
    first_peer, _, _, _ = legacy_catalogues
    run_harvest(source(first_peer.url, "legacy_alsace", "alsace-region"))
    model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    for index, condition in (("identifier", "(extras ->> 'identifier') IN ('a', 'b')"),
                             ("remote_url", "(extras ->> 'remote_url') IN ('a', 'b')"),
                             ("url", "url IN ('a', 'b')"),
                             ("remote_id", "(extras ->> 'remote_id') = 'c'")):
        plan = "\n".join(model.Session.execute(sa.text(
            f"EXPLAIN SELECT id FROM package WHERE {condition}")).scalars())
        assert f"grandest_harvest_package_{index}_idx" in plan, plan
    model.Session.rollback()
