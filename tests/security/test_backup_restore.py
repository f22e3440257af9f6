"""Backups and restore (docs/security.md §6): `jingkai backup` / `jingkai restore`, the manifest, the refusals,
and the restore drill (the demo backed up and restored elsewhere, every table compared)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from jingkai.core import audit, backup
from jingkai.core.audit import AuditEvent
from jingkai.core.models import User
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
JINGKAI = [sys.executable, "-m", "jingkai"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "demands" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "demands" / "2026" / "申请表.pdf").write_bytes(b"%PDF-1.4 attachment")
    settings.VAR_DIR = tmp_path / "var"
    return settings.MEDIA_ROOT


def _backup(tmp_path) -> Path:
    call_command("backup", to=str(tmp_path / "backups"), stdout=io.StringIO())
    (made,) = (tmp_path / "backups").iterdir()
    return made


def test_a_backup_holds_the_database_the_media_and_a_manifest(transactional_db, media, tmp_path):
    f.UserFactory.create_batch(3)
    made = _backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["jingkai_version"] and manifest["created_at"]
    assert "core.0001_initial" in manifest["migrations"]["applied"]
    assert manifest["migrations"]["not_applied"] == []
    assert manifest["tables"]["core_user"]["rows"] == User.objects.count() == 3
    assert set(manifest["tables"]) >= {"core_user", "core_auditevent", "django_migrations"}
    assert manifest["media"] == {"files": 1, "bytes": len(b"%PDF-1.4 attachment")}
    names = {"database.dump" if connection.vendor == "postgresql" else "database.sqlite3", "media.tar"}
    assert set(manifest["files"]) == names
    for name, digest in manifest["files"].items():
        assert backup.sha256_of(made / name) == digest
    assert {p.name for p in made.iterdir()} == names | {"manifest.json"}
    # The same function over the live database gives the manifest's figures (the audit log has gained the
    # BACKUP event since).
    assert _drop_audit(backup.table_checksums()) == _drop_audit(manifest["tables"])
    event = backup.last_good_backup()
    assert event.kind == audit.Kind.BACKUP and event.details["path"] == str(made)
    assert event.details["rows"] == sum(t["rows"] for t in manifest["tables"].values())


def test_a_change_to_one_value_changes_that_table_s_checksum_only(transactional_db, media):
    user = f.UserFactory(first_name="甲")
    before = backup.table_checksums()
    User.objects.filter(pk=user.pk).update(first_name="乙")
    after = backup.table_checksums()
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"core_user"}
    assert before["core_user"]["rows"] == after["core_user"]["rows"]


def test_restore_refuses_a_database_that_is_not_empty(transactional_db, media, tmp_path):
    made = _backup(tmp_path)
    with pytest.raises(CommandError, match="is not empty .*restore only into an empty database"):
        call_command("restore", str(made), stdout=io.StringIO())
    assert not AuditEvent.objects.filter(kind=audit.Kind.RESTORE).exists()


def test_restore_refuses_a_damaged_backup_before_touching_anything(transactional_db, media, tmp_path):
    made = _backup(tmp_path)
    tar = made / "media.tar"
    tar.write_bytes(tar.read_bytes()[:-1] + b"x")
    with pytest.raises(CommandError, match="media.tar: SHA-256 .* damaged"):
        call_command("restore", str(made), stdout=io.StringIO())


def test_an_unfinished_folder_is_not_a_backup(tmp_path, db):
    with pytest.raises(CommandError, match="holds no manifest.json"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())


def test_verify_names_each_difference():
    manifest = {
        "tables": {
            "a": {"rows": 2, "checksum": "x"},
            "b": {"rows": 1, "checksum": "y"},
            "c": {"rows": 0, "checksum": "z"},
        },
        "media": {"files": 0, "bytes": 0},
    }
    actual = {
        "a": {"rows": 2, "checksum": "x"},
        "b": {"rows": 1, "checksum": "other"},
        "d": {"rows": 0, "checksum": "w"},
    }
    result = backup.verify(manifest, actual, {"files": 1, "bytes": 3})
    assert not result.ok and result.tables == 1
    assert [p.split(":")[0] for p in result.problems] == ["b", "c", "d", "media"]


def test_two_backups_never_overlap(transactional_db, media, tmp_path):
    """Another process (here a thread, with its own database session) holds the backup lock."""
    import threading

    from jingkai.core import locks

    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with locks.exclusive("backup") as held:
                assert held
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(30)
        with pytest.raises(CommandError, match="Another backup is running"):
            call_command("backup", to=str(tmp_path / "b"), stdout=io.StringIO())
    finally:
        release.set()
        thread.join(30)
    assert not (tmp_path / "b").exists()


def test_a_failed_backup_is_audited_and_is_not_a_good_one(transactional_db, media, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        call_command("backup", to=str(blocker), stdout=io.StringIO())
    event = AuditEvent.objects.get(kind=audit.Kind.BACKUP)
    assert event.details["ok"] is False and event.details["error"]
    assert backup.last_good_backup() is None


def test_rpo_above_its_ceiling_is_refused(tmp_path):
    env = {**os.environ, "JINGKAI_BACKUP_RPO_HOURS": "48", "JINGKAI_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import jingkai.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "JINGKAI_BACKUP_RPO_HOURS=48 is above its ceiling 24" in done.stderr


# --- the restore drill: against real, separate databases, through the commands ------------------------


class Scratch:
    """A database of its own for a subprocess: a SQLite file, or a PostgreSQL database made with createdb."""

    def __init__(self, tmp_path: Path, name: str):
        self.name, self.tmp = name, tmp_path
        self.media = tmp_path / f"media-{name}"
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            self.pg = f"jk_ops_drill_{name}_{os.getpid()}"
            self.pg_args = [
                "-h",
                s["HOST"] or "127.0.0.1",
                "-p",
                str(s["PORT"] or 5432),
                "-U",
                s["USER"] or "postgres",
            ]
            subprocess.run(["dropdb", "--if-exists", *self.pg_args, self.pg], check=True)
            subprocess.run(["createdb", *self.pg_args, self.pg], check=True)
            password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
            self.url = f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{self.pg}"
        else:
            self.pg = None
            self.url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"

    def env(self) -> dict:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "JINGKAI_DATABASE_URL": self.url,
            "JINGKAI_MEDIA_ROOT": str(self.media),
            "JINGKAI_VAR_DIR": str(self.tmp / "var"),
            "JINGKAI_LOG_LEVEL": "ERROR",
        }

    def run(self, *args, check=True):
        done = subprocess.run(
            [*JINGKAI, *args], env=self.env(), capture_output=True, text=True, check=False, cwd=ROOT
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"jingkai {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def checksums(self) -> dict:
        code = "import json; from jingkai.core import backup; print(json.dumps(backup.table_checksums()))"
        return json.loads(self.run("shell", "-c", code).stdout.strip().splitlines()[-1])

    def drop(self):
        if self.pg:
            subprocess.run(["dropdb", "--if-exists", *self.pg_args, self.pg], check=False)


@pytest.fixture
def scratch(tmp_path, db):
    made = []

    def make(name):
        made.append(Scratch(tmp_path, name))
        return made[-1]

    yield make
    for s in made:
        s.drop()


def _drop_audit(tables: dict) -> dict:
    return {name: figures for name, figures in tables.items() if name != "core_auditevent"}


@pytest.mark.slow
def test_restore_drill(scratch, tmp_path):
    """The demo backed up, restored into another empty database, every table's count and checksum compared."""
    source, target = scratch("source"), scratch("target")
    if source.pg:
        source.run("demo", "--no-serve", "--fresh")
    else:
        source.run("demo", "--db", str(tmp_path / "source.sqlite3"), "--no-serve", "--fresh")
    (source.media / "demands").mkdir(parents=True)
    (source.media / "demands" / "现场照片.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 1000)
    started = time.perf_counter()
    source.run("backup", "--to", str(tmp_path / "backups"))
    backed_up = time.perf_counter()
    (folder,) = (tmp_path / "backups").iterdir()
    target.run("restore", str(folder))  # exit 0: every table matched its manifest
    finished = time.perf_counter()

    manifest = json.loads((folder / "manifest.json").read_text())
    restored, original = target.checksums(), source.checksums()
    # Every table as in the backup; the audit log of each has gained one event since (BACKUP, RESTORE).
    assert _drop_audit(restored) == _drop_audit(original) == _drop_audit(manifest["tables"])
    assert restored["core_auditevent"]["rows"] == manifest["tables"]["core_auditevent"]["rows"] + 1
    assert sum(t["rows"] for t in manifest["tables"].values()) > 10_000  # the demo, not an empty schema
    assert (target.media / "demands" / "现场照片.jpg").read_bytes() == b"\xff\xd8\xff" + b"\0" * 1000
    # A second restore into the now full database is refused.
    again = target.run("restore", str(folder), check=False)
    assert again.returncode == 1 and "is not empty" in again.stderr

    figures = {
        "vendor": connection.vendor,
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "backup_seconds": round(backed_up - started, 1),
        "restore_and_verify_seconds": round(finished - backed_up, 1),
    }
    out = ROOT / "var" / "test-results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"restore-drill-{connection.vendor}.json").write_text(json.dumps(figures, indent=2))
    print(f"restore drill: {figures}")  # noqa: T201


@pytest.mark.slow
def test_a_restore_that_differs_from_its_manifest_fails(scratch, tmp_path):
    source, target = scratch("small"), scratch("small_target")
    source.run("migrate", "--noinput")
    source.run("shell", "-c", "from tests import factories as f; f.UserFactory.create_batch(2)")
    source.run("backup", "--to", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["core_user"]["checksum"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    done = target.run("restore", str(folder), check=False)
    assert done.returncode == 1
    # (The commands speak the site's language; the located reason is the kernel's, in English.)
    assert "core_user: checksum differs from the manifest (2 rows)" in done.stdout
    assert [line for line in done.stdout.splitlines() if "differs" in line or "missing" in line] == [
        line for line in done.stdout.splitlines() if "core_user" in line
    ]
