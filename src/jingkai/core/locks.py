"""Named locks across processes, so that two runs of a periodic job never overlap (docs/security.md §7).

    from jingkai.core import locks

    with locks.exclusive("sweep") as held:
        if not held:
            ...  # another run holds it: do nothing
        ...

On PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) of the database in use, so it
holds across every server that shares the database and is released by the server if the process dies. On
SQLite it is an exclusive `flock` on a file under `VAR_DIR/locks/`, one file per lock name and database file
(released by the kernel when the process dies). Neither waits: a second taker is told at once. On
PostgreSQL a lock is re-entrant within one database session (the same thread of the same process).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the space of pg_try_advisory_lock(bigint))."""
    digest = hashlib.sha256(f"jingkai.lock:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file(name: str, using: str = "default") -> Path:
    """The file a SQLite database's lock `name` is taken on: one per lock name and database file."""
    database = str(connections[using].settings_dict["NAME"])
    tag = hashlib.sha256(database.encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "locks" / f"{name}-{tag}.lock"


@contextmanager
def exclusive(name: str, using: str = "default") -> Iterator[bool]:
    """Take the named lock for the block if nobody holds it; yields whether it was taken (never waits)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held and connection.connection is not None:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
                except DatabaseError:
                    # A broken transaction cannot unlock: closing the session releases the lock.
                    connection.close()
        return
    path = lock_file(name, using)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        if held:
            # Who holds it, for a person looking at the file (the lock is the flock, not the content).
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield held
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
