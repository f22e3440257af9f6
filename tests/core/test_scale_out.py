"""Several servers, one truth (issue 13 §4): the shared cache, the request id on every log line (text and JSON),
the read-replica router, and no in-process cache of data that can change."""

from __future__ import annotations

import ast
import importlib
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import Client

from jingkai import settings as project_settings
from jingkai.analytics.models import Refresh, Rollup
from jingkai.core import routers
from jingkai.core.logging import JsonFormatter, RequestIdFilter, TextFormatter, request_id
from jingkai.core.models import User
from jingkai.enterprises.models import Enterprise
from jingkai.stats.models import MonthlyReport

SRC = Path(__file__).resolve().parents[2] / "src"
CACHE_MIGRATION = importlib.import_module("jingkai.core.migrations.0013_cache_table")

# --- the shared cache --------------------------------------------------------------------------------------


def test_the_default_cache_is_the_database_table_the_migration_creates():
    assert os.environ.get("JINGKAI_CACHE", "database") == "database", "run these tests with the default cache"
    config = settings.CACHES["default"]
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["LOCATION"] == CACHE_MIGRATION.TABLE == project_settings.CACHE_TABLE
    assert not any("locmem" in c["BACKEND"].lower() for c in settings.CACHES.values())


@pytest.mark.django_db
def test_a_cached_value_is_a_row_of_the_shared_table():
    cache.set("scale-out-probe", {"answer": 42}, 60)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cache_key FROM {connection.ops.quote_name(CACHE_MIGRATION.TABLE)} WHERE cache_key LIKE %s",
            ["%scale-out-probe"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["jingkai:1:scale-out-probe"]
    # Another server is another cache object over the same table: it reads the value.
    from django.core.cache.backends.db import DatabaseCache

    other = DatabaseCache(CACHE_MIGRATION.TABLE, {"KEY_PREFIX": "jingkai"})
    assert other.get("scale-out-probe") == {"answer": 42}


def test_redis_is_the_other_choice():
    config = project_settings.cache_settings("redis", "redis://cache.internal:6379/2")["default"]
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://cache.internal:6379/2"
    assert project_settings.cache_settings("redis", None)["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="JINGKAI_REDIS_URL"):
        project_settings.cache_settings("redis", "http://cache.internal/")


def test_an_unknown_cache_or_log_format_is_refused(monkeypatch):
    monkeypatch.setenv("JINGKAI_CACHE", "memory")
    with pytest.raises(ImproperlyConfigured, match="JINGKAI_CACHE='memory' is not one of database, redis"):
        project_settings.env_choice("JINGKAI_CACHE", "database", ("database", "redis"))
    monkeypatch.setenv("JINGKAI_LOG_FORMAT", "JSON")
    assert project_settings.env_choice("JINGKAI_LOG_FORMAT", "text", ("text", "json")) == "json"


def _redis_up() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379 (or no redis package)")
def test_the_redis_cache_is_shared_between_two_clients():
    from django.core.cache.backends.redis import RedisCache

    config = project_settings.cache_settings("redis", "redis://127.0.0.1:6379/15")["default"]
    one = RedisCache(config["LOCATION"], {"KEY_PREFIX": "jingkai-test"})
    two = RedisCache(config["LOCATION"], {"KEY_PREFIX": "jingkai-test"})
    try:
        one.set("scale-out-probe", "从一号服务器", 30)
        assert two.get("scale-out-probe") == "从一号服务器"
    finally:
        one.delete("scale-out-probe")


# What may stay in a process's memory: code, never data that another server could change. Each entry is
# module -> the functions decorated with functools.cache / lru_cache there, and why they may.
PURE_CACHES = {
    "jingkai.core.contributions": {"_all"},  # the CONTRIBUTIONS lists of the installed apps' modules (code)
    "jingkai.core.permissions": {"_discover"},  # imports every app's permissions.py once (code)
    "jingkai.innovation.criteria": {"versions"},  # threshold files shipped inside the package (code)
}


def _cached_functions(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in {"cache", "lru_cache"}:
                    found.add(node.name)
    return found


def test_no_process_keeps_a_cache_of_data():
    found = {}
    for path in sorted((SRC / "jingkai").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "LocMemCache" not in text and "locmem" not in text, f"{path}: a per-process cache"
        names = _cached_functions(path)
        if names:
            module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
            found[module] = names
    assert found == PURE_CACHES, "a new functools.cache / lru_cache: data goes to django.core.cache instead"


# --- the request id and the log lines ------------------------------------------------------------------------


def console_handler() -> logging.Handler:
    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)
    ]
    assert len(handlers) == 1, "settings.LOGGING's console handler carries the request id filter"
    return handlers[0]


@pytest.fixture
def server_log():
    handler = console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.fixture
def json_log(server_log):
    handler = console_handler()
    previous = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield server_log
    finally:
        handler.setFormatter(previous)


def test_the_handler_filters_in_order_and_formats_text():
    handler = console_handler()
    names = [type(f).__name__ for f in handler.filters]
    assert names == ["OneLineRefusals", "MaskingLogFilter", "RequestIdFilter"]
    assert isinstance(handler.formatter, TextFormatter)


def test_every_response_names_its_request():
    client = Client()
    first, second = client.get("/healthz"), client.get("/healthz")
    for response in (first, second):
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert request_id.get() == "-"  # reset once the request is answered


def test_a_sane_incoming_id_is_kept():
    for incoming in ("lb-7f3a.42_x", "A" * 64):
        assert Client().get("/healthz", headers={"X-Request-ID": incoming})["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["A" * 65, "two words", "x\nforged line", "id;rm", "编号1", ""])
def test_a_bad_incoming_id_is_replaced(incoming):
    answered = Client().get("/healthz", headers={"X-Request-ID": incoming})["X-Request-ID"]
    assert answered != incoming and re.fullmatch(r"[0-9a-f]{32}", answered)


def test_a_requests_log_lines_carry_its_id(zone, server_log):
    client = Client()
    client.force_login(zone["department"])
    first = client.get("/investment/", headers={"X-Request-ID": "req-one"})
    second = client.get("/investment/")
    assert first.status_code == second.status_code == 403
    lines = [line for line in server_log.getvalue().splitlines() if line]
    assert len(lines) == 2
    pattern = (
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d WARNING django\.request \[(\S+)\] Forbidden"
    )
    ids = [re.match(pattern, line).group(1) for line in lines]
    assert ids == ["req-one", second["X-Request-ID"]]
    logging.getLogger("jingkai.test").warning("outside a request")
    assert server_log.getvalue().splitlines()[-1].endswith("WARNING jingkai.test [-] outside a request")


def test_json_lines_parse_and_carry_the_id(zone, json_log):
    client = Client()
    client.force_login(zone["department"])
    client.get("/investment/", headers={"X-Request-ID": "req-json"})
    logging.getLogger("jingkai.test").warning("电话 %s", "13812345678")
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=True)
    lines = [line for line in json_log.getvalue().splitlines() if line]
    assert len(lines) == 3  # one object per line, the traceback's newlines escaped
    refused, phone, error = (json.loads(line) for line in lines)
    assert {k: refused[k] for k in ("level", "logger", "request_id", "status_code")} == {
        "level": "WARNING",
        "logger": "django.request",
        "request_id": "req-json",
        "status_code": 403,
    }
    assert refused["message"] == "Forbidden (Permission denied): /investment/" and "exception" not in refused
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", refused["time"])
    assert phone["message"] == "电话 138****5678" and phone["request_id"] == "-"  # still masked
    assert "Traceback" in error["exception"] and "ValueError: boom\nsecond line" in error["exception"]


def _settings_process(code: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_") or k == "JINGKAI_VAR_DIR"}
    environ.update(env, DJANGO_SETTINGS_MODULE="jingkai.settings", PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_format_is_chosen_by_the_environment():
    done = _settings_process(
        "import logging; logging.getLogger('jingkai.x').warning('身份证 %s', '330482199001011234')",
        JINGKAI_LOG_FORMAT="json",
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["request_id"]) == ("WARNING", "jingkai.x", "-")
    assert "330482199001011234" not in record["message"]
    refused = _settings_process("", JINGKAI_LOG_FORMAT="xml")
    assert refused.returncode != 0 and "JINGKAI_LOG_FORMAT='xml' is not one of text, json" in refused.stderr


# --- the read replica --------------------------------------------------------------------------------------


def test_without_a_replica_nothing_changes():
    if os.environ.get("JINGKAI_REPLICA_DATABASE_URL"):
        pytest.skip("the suite runs with a replica")
    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == []
    assert "jingkai.core.middleware.ReplicaReadsMiddleware" not in settings.MIDDLEWARE
    assert settings.JINGKAI_REPLICA_APP_LABELS == ["analytics", "stats"]


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    return routers.ReplicaRouter()


def test_page_reads_of_the_dashboards_go_to_the_replica(with_replica):
    router = with_replica
    assert not connection.in_atomic_block
    with routers.replica_reads():
        assert router.db_for_read(Rollup) == router.db_for_read(Refresh) == "replica"
        assert router.db_for_read(MonthlyReport) == "replica"
        assert router.db_for_read(Enterprise) == router.db_for_read(User) == "default"
        for model in (Rollup, MonthlyReport, Enterprise, User):
            assert router.db_for_write(model) == "default"
    # A command, the sweep or a job (no page being read) reads the primary.
    assert router.db_for_read(Rollup) == router.db_for_read(MonthlyReport) == "default"


def test_the_app_labels_are_a_setting(with_replica, settings):
    settings.JINGKAI_REPLICA_APP_LABELS = ["stats"]
    with routers.replica_reads():
        assert with_replica.db_for_read(Rollup) == "default"
        assert with_replica.db_for_read(MonthlyReport) == "replica"


def test_without_the_alias_every_read_is_the_primarys():
    with routers.replica_reads():
        assert routers.ReplicaRouter().db_for_read(Rollup) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    with routers.replica_reads(), transaction.atomic():
        assert with_replica.db_for_read(Rollup) == with_replica.db_for_read(MonthlyReport) == "default"


def test_migrations_run_on_the_primary_only(with_replica):
    router = with_replica
    for label in ("analytics", "stats", "core", "django_cache"):
        assert router.allow_migrate("default", label) is True
        assert router.allow_migrate("replica", label) is False
    assert router.allow_relation(Rollup(), Enterprise()) is True


def test_the_replica_setting():
    primary = project_settings.database_from_url("sqlite:///var/one.sqlite3")
    replica = project_settings.replica_database("sqlite:///var/two.sqlite3", primary)
    assert replica["TEST"] == {"MIRROR": "default"} and replica["NAME"].endswith("two.sqlite3")
    with pytest.raises(ImproperlyConfigured, match="JINGKAI_REPLICA_DATABASE_URL='mysql://x/y'"):
        project_settings.replica_database("mysql://x/y", primary)
    with pytest.raises(ImproperlyConfigured, match="a copy of the primary"):
        project_settings.replica_database("postgres://u@h:5432/jingkai", primary)


def test_a_replica_adds_the_alias_the_router_and_the_middleware(tmp_path):
    code = (
        "from django.conf import settings; import json\n"
        "print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS,"
        " 'jingkai.core.middleware.ReplicaReadsMiddleware' in settings.MIDDLEWARE,"
        " settings.DATABASES['replica']['TEST']['MIRROR']]))"
    )
    done = _settings_process(
        code,
        JINGKAI_DATABASE_URL=f"sqlite:///{tmp_path}/primary.sqlite3",
        JINGKAI_REPLICA_DATABASE_URL=f"sqlite:///{tmp_path}/replica.sqlite3",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        ["default", "replica"],
        ["jingkai.core.routers.ReplicaRouter"],
        True,
        "default",
    ]
    refused = _settings_process("", JINGKAI_REPLICA_APPS="analytics,nonsense")
    assert refused.returncode != 0 and "JINGKAI_REPLICA_APPS names apps that are not installed: nonsense" in (
        refused.stderr
    )
