"""Backups and restore (docs/security.md §6, docs/operations.md "Backups"): `jingkai backup`, `jingkai restore`.

A backup is one folder holding the database, the media folder and a manifest:

    jingkai-20261203T020000Z/
        database.dump       PostgreSQL: pg_dump --format=custom, from the same snapshot as the manifest
        database.sqlite3    SQLite: the online backup API (Connection.backup), a consistent copy
        media.tar           MEDIA_ROOT (demand attachments)
        manifest.json       time, Jingkai version, migration state, every table's row count and checksum,
                            the SHA-256 of each file above

A table's checksum is the SHA-256 over its rows in primary-key order, each value in a typed canonical form
(`table_checksums`); the same function over the restored database gives the same value, which is how a
restore proves itself. On PostgreSQL the counts are taken in the transaction whose snapshot pg_dump uses
(`pg_export_snapshot` / `pg_dump --snapshot`), so the manifest describes exactly the dump; on SQLite they are
taken from the copy itself. A backup is written to `<name>.partial` and renamed when complete, so a folder
with a manifest is a whole backup. Restore goes only into an empty database (no tables) and an empty
MEDIA_ROOT, checks every file's hash before touching anything, and compares every table afterwards.

The last good backup is the latest audit event of kind BACKUP with `ok` true (`last_good_backup`); the system
administrator's home page shows it, with a warning past JINGKAI_BACKUP_RPO_HOURS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 2000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the checksum of a table --------------------------------------------------------------------------


def _canonical(value) -> str:
    """A value as typed text, the same for the same stored value whichever time it is read."""
    if value is None:
        return "N"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, Decimal):
        return f"d{value}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x" + bytes(value).hex()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return "t" + value.isoformat()
    if isinstance(value, (dict, list)):
        return "j" + json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, uuid.UUID):
        return "u" + str(value)
    return "s" + str(value)


def _digest_rows(cursor) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    while rows := cursor.fetchmany(CHUNK):
        for row in rows:
            digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
            digest.update(b"\n")
            count += 1
    return count, digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_checksums(db: sqlite3.Connection) -> dict[str, dict]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        info = db.execute(f"PRAGMA table_info({_q(table)})").fetchall()  # cid, name, type, notnull, dflt, pk
        columns = [c[1] for c in info]
        key = [c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5])] or columns
        cursor = db.execute(
            f"SELECT {', '.join(map(_q, columns))} FROM {_q(table)} ORDER BY {', '.join(map(_q, key))}"
        )
        rows, checksum = _digest_rows(cursor)
        result[table] = {"rows": rows, "checksum": checksum}
    return result


def _postgresql_checksums() -> dict[str, dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
        tables = cursor.fetchall()
        layout = {}
        for oid, table in tables:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
                "ORDER BY attnum",
                [oid],
            )
            columns = [r[0] for r in cursor.fetchall()]
            # The primary key in index order; a collatable column sorts bytewise (COLLATE "C"), so the order
            # does not depend on the server's locale.
            cursor.execute(
                "SELECT a.attname, a.attcollation <> 0 FROM pg_index i "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                [oid],
            )
            key = cursor.fetchall() or [(c, False) for c in columns]
            layout[table] = (columns, key)
    result = {}
    for table, (columns, key) in layout.items():
        order = ", ".join(_q(name) + (' COLLATE "C"' if collatable else "") for name, collatable in key)
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(map(_q, columns))} FROM {_q(table)} ORDER BY {order}")
            rows, checksum = _digest_rows(cursor)
        result[table] = {"rows": rows, "checksum": checksum}
    return result


def table_checksums(sqlite_path: Path | None = None) -> dict[str, dict]:
    """Every table's row count and checksum: of the database in use (PostgreSQL), or of a SQLite file."""
    if sqlite_path is not None:
        return _sqlite_checksums_of(f"file:{sqlite_path}?mode=ro")
    if connection.vendor == "postgresql":
        return _postgresql_checksums()
    return _sqlite_checksums_of(str(connection.settings_dict["NAME"]))


# --- helpers ------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def jingkai_version() -> str:
    try:
        return metadata.version("jingkai")
    except metadata.PackageNotFoundError:
        return "unknown"


_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore from a DATABASES entry (the password never on argv)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in _PG_OPTIONS.items():
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def migration_state(applied: list[tuple[str, str]]) -> dict:
    """The migrations the data has, and those the running code has but the data lacks."""
    have = set(applied)
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    missing = sorted(f"{app}.{name}" for app, name in graph.nodes if (app, name) not in have)
    return {"applied": [f"{app}.{name}" for app, name in applied], "not_applied": missing}


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _tar_media(target: Path) -> dict:
    root, files, size = _media_root(), 0, 0
    with tarfile.open(target, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    files += 1
                    size += path.stat().st_size
    return {"files": files, "bytes": size}


def _media_summary(root: Path) -> dict:
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


# --- backup -------------------------------------------------------------------------------------------


@dataclass
class Backup:
    path: Path
    manifest: dict
    seconds: float


def _backup_postgresql(folder: Path) -> tuple[dict, list[tuple[str, str]]]:
    dump = folder / DUMP["postgresql"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            pg_environment(connection.settings_dict),
        )
        tables = _postgresql_checksums()
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        applied = [tuple(r) for r in cursor.fetchall()]
    _run(["pg_restore", "--list", str(dump)], pg_environment(connection.settings_dict))  # readable
    return tables, applied


def _backup_sqlite(folder: Path) -> tuple[dict, list[tuple[str, str]]]:
    name = str(connection.settings_dict["NAME"])
    target = folder / DUMP["sqlite"]
    source = sqlite3.connect(name, uri=name.startswith("file:"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file (the live database runs in WAL mode; the copy needs no -wal / -shm).
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy fails SQLite's integrity check: {check}")
        tables = _sqlite_checksums(db)
        applied = [tuple(r) for r in db.execute("SELECT app, name FROM django_migrations ORDER BY id")]
    finally:
        db.close()
    return tables, applied


def make_backup(to: Path | None = None, *, now: dt.datetime | None = None) -> Backup:
    """Write a whole backup under `to` (default JINGKAI_BACKUP_DIR) and return it; raises BackupError."""
    if connection.in_atomic_block:
        raise BackupError("a backup must run outside a transaction (it takes its own snapshot)")
    started = time.perf_counter()
    now = now or timezone.now()
    parent = Path(to or settings.JINGKAI_BACKUP_DIR).expanduser().resolve()
    name = f"jingkai-{now.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z"
    final, partial = parent / name, parent / f".{name}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already")
    parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        vendor = connection.vendor
        if vendor == "postgresql":
            tables, applied = _backup_postgresql(partial)
        elif vendor == "sqlite":
            tables, applied = _backup_sqlite(partial)
        else:
            raise BackupError(f"no backup method for the {vendor} database")
        media = _tar_media(partial / MEDIA)
        files = {f.name: sha256_of(f) for f in sorted(partial.iterdir())}
        for f in partial.iterdir():
            f.chmod(0o600)
        manifest = {
            "format": FORMAT,
            "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "jingkai_version": jingkai_version(),
            "vendor": vendor,
            "database": DUMP[vendor],
            "migrations": migration_state(applied),
            "tables": tables,
            "media": media,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        (partial / MANIFEST).chmod(0o600)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(final, manifest, time.perf_counter() - started)


# --- restore ------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """What the restored database holds against the manifest; `problems` empty: all tables match."""

    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup folder (or an unfinished one)")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown manifest format {manifest.get('format')!r}")
    return manifest


def check_files(folder: Path, manifest: dict) -> None:
    """Every file of the manifest is there with its SHA-256; raises BackupError naming the first bad one."""
    for name, expected in sorted(manifest["files"].items()):
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {folder}")
        actual = sha256_of(path)
        if actual != expected:
            raise BackupError(f"{name}: SHA-256 {actual} differs from the manifest's {expected}: damaged")


def existing_tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def refuse_unless_empty() -> None:
    tables = existing_tables()
    if tables:
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables, e.g. "
            f"{', '.join(tables[:3])}): restore only into an empty database (createdb a new one, or point "
            "JINGKAI_DATABASE_URL at a new SQLite file)"
        )
    root = _media_root()
    if root.is_dir() and any(root.iterdir()):
        raise BackupError(f"MEDIA_ROOT {root} is not empty: restore the media only into an empty folder")


def verify(manifest: dict, actual: dict[str, dict], media: dict) -> Verification:
    result = Verification()
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want is None:
            result.problems.append(f"{table}: in the database but not in the manifest")
        elif have is None:
            result.problems.append(f"{table}: in the manifest but missing from the database")
        elif want["rows"] != have["rows"]:
            result.problems.append(f"{table}: {have['rows']} rows, the manifest says {want['rows']}")
        elif want["checksum"] != have["checksum"]:
            result.problems.append(f"{table}: checksum differs from the manifest ({have['rows']} rows)")
        else:
            result.tables += 1
            result.rows += have["rows"]
    if media != manifest["media"]:
        result.problems.append(
            f"media: {media['files']} files ({media['bytes']} bytes), the manifest says "
            f"{manifest['media']['files']} ({manifest['media']['bytes']} bytes)"
        )
    return result


def restore(folder: Path) -> Verification:
    """Restore a backup folder into the empty database in use and MEDIA_ROOT, then verify it."""
    folder = Path(folder).expanduser().resolve()
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['vendor']} database; the database in use is {connection.vendor}"
        )
    refuse_unless_empty()
    dump = folder / manifest["database"]
    if connection.vendor == "postgresql":
        connection.close()
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        _run(
            [*command, f"--dbname={connection.settings_dict['NAME']}", str(dump)],
            pg_environment(connection.settings_dict),
        )
        actual = _postgresql_checksums()
    else:
        name = str(connection.settings_dict["NAME"])
        connection.close()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(name, uri=name.startswith("file:"))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        actual = _sqlite_checksums_of(name)
    root = _media_root()
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA) as tar:
        tar.extractall(root, filter="data")
    result = verify(manifest, actual, _media_summary(root))
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        state = migration_state([tuple(r) for r in cursor.fetchall()])
    if state["not_applied"]:
        result.notes.append(
            f"{len(state['not_applied'])} migrations of this code are not in the backup: run `jingkai migrate`"
        )
    return result


def _sqlite_checksums_of(name: str) -> dict[str, dict]:
    db = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        return _sqlite_checksums(db)
    finally:
        db.close()


# --- the last good backup -----------------------------------------------------------------------------


def last_good_backup():
    """The audit event of the latest backup that completed, or None."""
    from jingkai.core.audit import AuditEvent, Kind

    return AuditEvent.objects.filter(kind=Kind.BACKUP, details__ok=True).order_by("-at", "-id").first()


def status(now: dt.datetime | None = None) -> dict:
    """The last good backup's time and age against the RPO (JINGKAI_BACKUP_RPO_HOURS)."""
    now = now or timezone.now()
    rpo = settings.JINGKAI_BACKUP_RPO_HOURS
    event = last_good_backup()
    if event is None:
        return {"at": None, "age_hours": None, "rpo_hours": rpo, "overdue": True, "path": ""}
    age = (now - event.at).total_seconds() / 3600
    return {
        "at": event.at,
        "age_hours": age,
        "rpo_hours": rpo,
        "overdue": age > rpo,
        "path": event.details.get("path", ""),
    }
