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
  an object finished but not acknowledged, and removes from the queue the messages of
  objects already finished (the second copies ``resubmit_objects`` makes).

A second run that still happens (a copy popped before it was removed) is harmless: the
import stage locks its object (base.py), so it updates the dataset the first run created.
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
    """Re-queues the objects of dead consumers and drops stale copies; returns the counts."""
    connection = queue.get_connection()
    routing_key = queue.get_fetch_routing_key()
    done = {"requeued": 0, "acknowledged": 0, "copies removed": 0}

    popped = {key.rsplit(":", 1)[-1]: key
              for key in connection.scan_iter(match=routing_key + ":*")}
    queued = set(connection.lrange(routing_key, 0, -1))
    queued_ids = {json.loads(message)["harvest_object_id"]: message for message in queued}
    states = _states([*popped, *queued_ids])

    if popped:
        held = {client["name"][len(NAME_PREFIX):] for client in connection.client_list()
                if client.get("name", "").startswith(NAME_PREFIX)}
        now = dt.datetime.now()               # ckanext-harvest stamps keys in local time
        for object_id, key in popped.items():
            if object_id in held:
                connection.set(key, now.strftime(_STAMP), xx=True)
            elif states.get(object_id, "COMPLETE") in FINISHED:
                done["acknowledged"] += connection.delete(key)
            elif now - _stamp(connection.get(key), now) > GRACE and connection.delete(key):
                # Whoever deletes the key re-queues: two schedulers never queue it twice.
                connection.rpush(routing_key, json.dumps({"harvest_object_id": object_id}))
                done["requeued"] += 1

    for object_id, message in queued_ids.items():
        if states.get(object_id, "COMPLETE") in FINISHED:
            done["copies removed"] += connection.lrem(routing_key, 0, message)

    if any(done.values()):
        log.warning("Fetch queue: %(requeued)d object(s) of dead consumers re-queued, "
                    "%(acknowledged)d finished object(s) acknowledged, %(copies removed)d "
                    "copies of finished objects removed", done)
    return done


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
