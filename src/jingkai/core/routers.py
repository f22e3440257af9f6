"""The read-replica router (docs/operations.md, Province deployment).

Installed by settings only when JINGKAI_REPLICA_DATABASE_URL names a replica (the database alias "replica", a
streaming copy of the primary). A read of a model of the apps in settings.JINGKAI_REPLICA_APP_LABELS (the
dashboards' rollups and the statistics they are built from) goes to the replica when all of these hold:

- it is made while a page is read: a GET or HEAD request (core.middleware.ReplicaReadsMiddleware wraps the view
  in `replica_reads()`); a form's POST, a command, the sweep and a background job read the primary;
- it is outside a transaction on the primary: a service that reads what it is about to change (an import
  comparing the figures it replaces, the rollup refresh reading the statistics just committed) sees the
  primary's rows, never a copy that may lag behind it.

Every other read, every write and every migration goes to the primary ("default"). Pages served from the replica
may trail the primary by the replication delay (a second or so on a hot standby).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_page_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("jingkai_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block (a page being read) the configured apps' reads may go to the replica."""
    token = _page_reads.set(True)
    try:
        yield
    finally:
        _page_reads.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def _to_replica(self, app_label: str) -> bool:
        return (
            _page_reads.get()
            and app_label in settings.JINGKAI_REPLICA_APP_LABELS
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        )

    def db_for_read(self, model, **hints):
        return REPLICA if self._to_replica(model._meta.app_label) else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an object read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary: its schema arrives by replication, never by `migrate`.
        return db == DEFAULT_DB_ALIAS
