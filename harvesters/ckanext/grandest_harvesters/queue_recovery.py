"""The fetch queue, kept right when a fetch consumer dies in the middle of an object.

ckanext-harvest's Redis consumer pops a harvest object id from the fetch queue and keeps
a "persistence key" (``<fetch routing key>:<object id>`` = when it was popped) until the
object is done and acknowledged. A consumer killed in between (SIGKILL, OOM killer, lost
container) leaves the key behind and the object unfinished, and its job waits for it.

ckanext-harvest's own recovery, run by ``harvest_jobs_run``, cannot tell a dead consumer
from a live one: ``resubmit_jobs`` re-queues any object popped more than three minutes
ago (even one a live consumer is still importing, and one finished but not yet
acknowledged), and ``resubmit_objects`` re-queues any waiting object it does not see in
the queue (even one a consumer has just popped). Such an object runs a second time: at
the same time as the first run, or after its job has finished, which ckanext-harvest then
records as an error. Here, knowing which consumers are alive:

- a consumer names its Redis connection after the object it works on (``holding``, from
  the fetch stage); Redis drops the name with the connection when the process dies, so
  the named clients are exactly the objects in live consumers' hands;
- ``recover_fetch_queue``, run by the scheduler before ckanext-harvest's checks,
  re-queues at once a popped object that no live consumer holds (after ``GRACE``, the
  time a live consumer takes from popping an object to naming it), marks the objects
  live consumers hold as just popped (never re-queued by age, however slow), acknowledges
  an object finished but not acknowledged (completing its report if its consumer died
  between the object's last two writes);
- ``remove_copies``, run before and after ckanext-harvest's pass, removes from the queue
  the messages of objects already finished or in a live consumer's hands: the copies
  ``resubmit_objects`` makes.

A second run that still happens (a copy popped in the instant before its removal) leaves
the data right: the import stage locks its object (base.py), so the second run updates
the dataset the first one created.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os

import redis
import sqlalchemy as sa
from ckan import model
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject

log = logging.getLogger(__name__)

NAME_PREFIX = "grandest-harvest-object:"
GRACE = dt.timedelta(seconds=20)     # from pop to naming: two small database writes
FINISHED = ("COMPLETE", "ERROR")
_STAMP = "%Y-%m-%d %H:%M:%S.%f"      # ckanext-harvest's format for a key's value

@functools.cache
def _own_connection(pid: int) -> redis.Redis:
    """One connection per process, kept open: its name lives as long as the process."""
    pool = queue.get_connection().connection_pool
    return redis.Redis(connection_pool=pool, single_connection_client=True)


def holding(harvest_object_id: str) -> None:
    """Declares that this process now works on the object (called by the fetch stage)."""
    _own_connection(os.getpid()).client_setname(NAME_PREFIX + harvest_object_id)


def recover_fetch_queue() -> dict[str, int]:
    """Re-queues the objects of dead consumers, acknowledges finished ones and removes
    copies (see :func:`remove_copies`); returns the counts, for the logs and tests."""
    connection = queue.get_connection()
    routing_key = queue.get_fetch_routing_key()
    done = {"requeued": 0, "acknowledged": 0}
    popped = {key.rsplit(":", 1)[-1]: key
              for key in connection.scan_iter(match=routing_key + ":*")}
    held = _held(connection)
    states = _states(list(popped))
    now = dt.datetime.now()                   # ckanext-harvest stamps keys in local time
    for object_id, key in popped.items():
        if object_id in held:
            connection.set(key, now.strftime(_STAMP), xx=True)
        elif states.get(object_id, "COMPLETE") in FINISHED:
            _finish_report(object_id)
            done["acknowledged"] += connection.delete(key)
        elif now - _stamp(connection.get(key), now) > GRACE and connection.delete(key):
            # Whoever deletes the key re-queues: two schedulers never queue it twice.
            connection.rpush(routing_key, json.dumps({"harvest_object_id": object_id}))
            done["requeued"] += 1
    done["copies removed"] = remove_copies(held)
    if done["requeued"] or done["acknowledged"]:
        log.warning("Fetch queue: %(requeued)d object(s) of dead consumers re-queued, "
                    "%(acknowledged)d finished object(s) acknowledged", done)
    return done


def remove_copies(held: set[str] | None = None) -> int:
    """Removes from the fetch queue the messages of objects already finished or in a live
    consumer's hands: copies that ``resubmit_objects`` queued (it takes an object just
    popped, still waiting, for a lost one). Run before ckanext-harvest's pass and after it,
    so that no copy is left to run once its job is finished. Returns how many."""
    connection = queue.get_connection()
    routing_key = queue.get_fetch_routing_key()
    queued = {json.loads(message)["harvest_object_id"]: message
              for message in set(connection.lrange(routing_key, 0, -1))}
    if not queued:
        return 0
    held = _held(connection) if held is None else held
    states = _states(list(queued))
    removed = 0
    for object_id, message in queued.items():
        if object_id in held or states.get(object_id, "COMPLETE") in FINISHED:
            removed += connection.lrem(routing_key, 0, message)
    if removed:
        log.info("Fetch queue: %d copies of objects finished or in progress removed", removed)
    return removed


def _finish_report(object_id: str) -> None:
    """Sets the report status of a finished object whose consumer died between its last
    two writes (state, then report status), as ckanext-harvest's fetch_and_import_stages
    would have: its job's report counts it."""
    harvest_object = HarvestObject.get(object_id)
    if harvest_object is None or harvest_object.report_status:
        return
    if harvest_object.state == "ERROR":
        harvest_object.report_status = "errored"
    elif harvest_object.current is False:
        harvest_object.report_status = "deleted"
    else:
        feeding = model.Session.query(HarvestObject.id).filter(
            HarvestObject.package_id == harvest_object.package_id).limit(2).count()
        harvest_object.report_status = "updated" if feeding == 2 else "added"
    harvest_object.save()


def _held(connection: redis.Redis) -> set[str]:
    """The objects in live consumers' hands: the names of the connected clients."""
    return {client["name"][len(NAME_PREFIX):] for client in connection.client_list()
            if client.get("name", "").startswith(NAME_PREFIX)}


def _states(object_ids: list[str]) -> dict[str, str]:
    states: dict[str, str] = {}
    for start in range(0, len(object_ids), 1000):
        chunk = object_ids[start:start + 1000]
        states.update(model.Session.execute(
            sa.select(HarvestObject.id, HarvestObject.state)
            .where(HarvestObject.id.in_(chunk))).all())
    return states


def _stamp(value: str | None, now: dt.datetime) -> dt.datetime:
    """When the object was popped (the key's value); ``now`` if unreadable."""
    try:
        return dt.datetime.fromisoformat(value) if value else now
    except ValueError:
        return now
