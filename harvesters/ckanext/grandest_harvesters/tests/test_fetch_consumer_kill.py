"""A fetch consumer killed with SIGKILL in the middle of a job: once a consumer is running
again, the job completes and every dataset is there exactly once.

The job goes through the real Redis queues and ``ckan harvester`` consumer processes; the
test plays the scheduler (``harvest_jobs_run``, what ``ckan harvester run`` does).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject
from ckanext.harvest.queue import purge_queues

from ckanext.grandest_harvesters import jobs, legacy_alsace, queue_recovery
from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

CKAN = [str(Path(sys.executable).with_name("ckan")), "-c", tk.config["__file__"]]
ADMIN = {"ignore_auth": True, "user": ""}


def _consumer(stage: str) -> subprocess.Popen:
    return subprocess.Popen([*CKAN, "harvester", f"{stage}-consumer"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def consumers():
    purge_queues()
    processes = {"gather": _consumer("gather"), "fetch": _consumer("fetch")}
    yield processes
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        process.wait(timeout=30)
    purge_queues()


def _states(job_id: str) -> Counter:
    model.Session.remove()      # the consumers write: read their committed state afresh
    return Counter(dict(model.Session.execute(
        sa.select(HarvestObject.state, sa.func.count())
        .where(HarvestObject.harvest_job_id == job_id).group_by(HarvestObject.state)).all()))


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not reached within {timeout} s")


def test_a_killed_fetch_consumer_loses_nothing_and_duplicates_nothing(make_source, consumers,
                                                                    with_request_context):
    entries = fixture.generate_catalogue(150, seed=5)
    anomalies = fixture.anomalies(entries)
    untitled = set(anomalies["missing_title"]) - set(anomalies["not_public"])
    expected = {e["id"] for e in entries} - set(anomalies["not_public"]) - untitled
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        source = make_source(peer.url, "legacy_alsace")
        job = call_action("harvest_job_create", ADMIN, source_id=source["id"], run=True)

        # Mid-job: some objects imported, most still queued, one in the consumer's hands.
        _wait(lambda: _states(job["id"])["COMPLETE"] >= 20, 120, "20 objects imported")
        consumers["fetch"].send_signal(signal.SIGKILL)
        consumers["fetch"].wait(timeout=10)
        killed_at = _states(job["id"])
        consumers["fetch"] = _consumer("fetch")
        restarted = time.monotonic()

        def finished():
            # What the scheduler (`ckan harvester run`) does, here every 0.2 s.
            call_action("harvest_jobs_run", ADMIN, source_id=source["id"])
            status = call_action("harvest_job_show", ADMIN, id=job["id"])
            assert consumers["fetch"].poll() is None
            return status if status["status"] == "Finished" else None

        status = _wait(finished, 600, f"the job finishes (objects at the kill: {killed_at})")
        # ckanext-harvest alone re-queues an object popped by a dead consumer after three
        # minutes: the portal's recovery does it as soon as the consumer is gone.
        assert time.monotonic() - restarted < 170, killed_at

    assert status["stats"].get("added") == len(expected), status["stats"]
    # No object ran again after its job finished (ckanext-harvest turns those into errors).
    assert _states(job["id"]) == Counter({"COMPLETE": len(expected), "ERROR": len(untitled)})
    remote_ids = Counter(remote_id for (remote_id,) in model.Session.execute(
        sa.select(model.Package.extras["remote_id"].astext).where(
            model.Package.type == "dataset", model.Package.state == "active")))
    assert set(remote_ids) == expected
    assert set(remote_ids.values()) == {1}                     # every dataset exactly once
    assert call_action("package_search", rows=0)["count"] == len(expected)


# -- the recovery's rules, one situation each ----------------------------------------------


def _stamp(seconds_ago: float) -> str:
    """A persistence key's value, as ckanext-harvest writes it when a consumer pops."""
    return str(dt.datetime.now() - dt.timedelta(seconds=seconds_ago))


def test_the_scheduler_requeues_only_what_no_live_consumer_holds(make_source, harvest_org,
                                                                 with_request_context):
    purge_queues()
    entries = fixture.generate_catalogue(12, seed=3)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        source = make_source(peer.url, "legacy_alsace")
        job_obj = jobs.start_job(source["id"])
        ids = queue.gather_stage(queue.get_harvester("legacy_alsace"), job_obj)
    assert len(ids) >= 7
    dead, live, fresh, done, unreported, copy, waiting = ids[:7]
    redis = queue.get_connection()
    key = queue.get_fetch_routing_key()

    def message(object_id: str) -> str:
        return json.dumps({"harvest_object_id": object_id})

    for object_id in ids:
        state = {dead: "FETCH", live: "IMPORT", fresh: "FETCH", waiting: "WAITING"}.get(
            object_id, "COMPLETE")
        HarvestObject.get(object_id).state = state
    imported = HarvestObject.get(unreported)           # imported, its report not written
    imported.current = True
    imported.package_id = factories.Dataset(owner_org=harvest_org["id"])["id"]
    for object_id in ids:
        if object_id != unreported:
            HarvestObject.get(object_id).report_status = "added"
    model.Session.commit()
    redis.set(f"{key}:{dead}", _stamp(60))       # its consumer was killed a minute ago
    redis.set(f"{key}:{live}", _stamp(600))      # a slow import, ten minutes in
    redis.set(f"{key}:{fresh}", _stamp(1))       # popped a second ago, not named yet
    redis.set(f"{key}:{done}", _stamp(600))      # finished, but killed before the ack
    redis.set(f"{key}:{unreported}", _stamp(30))  # killed between its state and its report
    redis.rpush(key, message(copy), message(waiting))
    consumer = queue.get_connection()            # a live consumer, working on "live"
    consumer.client_setname(queue_recovery.NAME_PREFIX + live)
    try:
        call_action("harvest_jobs_run", ADMIN, source_id=source["id"])
        queued = redis.lrange(key, 0, -1)
        popped = {k.rsplit(":", 1)[-1] for k in redis.scan_iter(match=f"{key}:*")}
        live_stamp = dt.datetime.fromisoformat(redis.get(f"{key}:{live}"))
    finally:
        consumer.close()
        purge_queues()

    # Re-queued: the dead consumer's object only (once), next to the legitimate message.
    assert sorted(queued) == sorted([message(waiting), message(dead)])
    # Left alone: the live and the fresh one; the finished ones are acknowledged, the
    # report of the one killed between its last two writes completed.
    assert popped == {live, fresh}
    assert HarvestObject.get(unreported).report_status == "added"
    assert HarvestObject.get(unreported).state == "COMPLETE"
    # The live one looks just popped: ckanext-harvest's three minutes start again.
    assert dt.datetime.now() - live_stamp < dt.timedelta(seconds=30)


def test_an_object_run_twice_at_once_creates_one_dataset(make_source, app):
    """Two consumers on two copies of the same message at the same moment: the second
    waits for the first and updates its dataset (without the lock it would fail on the
    dataset's name, or create a second dataset under another name)."""
    entries = fixture.generate_catalogue(3, seed=8)
    for organisation in legacy_alsace.mapping()["owners"].values():   # not raced for here
        call_action("organization_create", {"user": factories.Sysadmin()["name"]},
                    **organisation)
    with PeerServer(fixture.legacy_alsace_routes(entries)) as peer:
        source = make_source(peer.url, "legacy_alsace")
        job_obj = jobs.start_job(source["id"])
        harvester = queue.get_harvester("legacy_alsace")
        object_id = queue.gather_stage(harvester, job_obj)[0]
        model.Session.remove()
        start = threading.Barrier(2)
        failures = []

        def consume() -> None:
            with app.flask_app.test_request_context():
                try:
                    harvest_object = HarvestObject.get(object_id)
                    start.wait(timeout=30)
                    queue.fetch_and_import_stages(harvester, harvest_object)
                except Exception as e:      # reported by the assertion below
                    failures.append(e)
                finally:
                    model.Session.remove()

        threads = [threading.Thread(target=consume) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not failures
    guid = HarvestObject.get(object_id).guid
    names = [name for (name,) in model.Session.execute(
        sa.select(model.Package.name).where(model.Package.extras["remote_id"].astext == guid))]
    assert len(names) == 1, names
    assert HarvestObject.get(object_id).state == "COMPLETE"
