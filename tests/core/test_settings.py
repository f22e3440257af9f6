"""Settings helpers refuse what they do not understand (settings.py)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jingkai.settings import BASE_DIR, database_from_url, env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("FALSE", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool(monkeypatch, value, expected):
    monkeypatch.setenv("JINGKAI_TEST_FLAG", value)
    assert env_bool("JINGKAI_TEST_FLAG") is expected


def test_env_bool_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("JINGKAI_TEST_FLAG", raising=False)
    assert env_bool("JINGKAI_TEST_FLAG", True) is True
    monkeypatch.setenv("JINGKAI_TEST_FLAG", "")
    assert env_bool("JINGKAI_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["maybe", "2", "yes please", "t"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("JINGKAI_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="JINGKAI_TEST_FLAG"):
        env_bool("JINGKAI_TEST_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("JINGKAI_TEST_N", "12")
    assert env_int("JINGKAI_TEST_N", 3) == 12
    monkeypatch.setenv("JINGKAI_TEST_N", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("JINGKAI_TEST_N", 3)
    monkeypatch.setenv("JINGKAI_TEST_HOSTS", "a.example, b.example")
    assert env_list("JINGKAI_TEST_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("JINGKAI_TEST_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured):
        env_list("JINGKAI_TEST_HOSTS", [])
    monkeypatch.setenv("JINGKAI_TEST_S", "")
    assert env_str("JINGKAI_TEST_S", "fallback") == "fallback"


def test_sqlite_relative_path_is_under_the_checkout():
    db = database_from_url("sqlite:///var/jingkai.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]) == BASE_DIR / "var" / "jingkai.sqlite3"


def test_sqlite_absolute_path():
    db = database_from_url("sqlite:////srv/jingkai/data.sqlite3")
    assert db["NAME"] == "/srv/jingkai/data.sqlite3"


def test_postgres_url():
    db = database_from_url("postgres://jk:p%40ss@db.internal:5433/jingkai")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "jingkai",
        "jk",
        "p@ss",
        "db.internal",
        "5433",
    )
    assert database_from_url("postgresql://postgres@127.0.0.1/jk")["PORT"] == ""


def test_postgres_url_keeps_its_query_string_as_options():
    db = database_from_url("postgres://jk@db.internal/jingkai?sslmode=require&connect_timeout=5")
    assert db["OPTIONS"] == {"sslmode": "require", "connect_timeout": 5}
    assert (db["NAME"], db["HOST"]) == ("jingkai", "db.internal")


def test_postgres_url_with_a_percent_encoded_socket_directory():
    db = database_from_url("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/jk")
    assert (db["HOST"], db["NAME"], db["USER"], db["PORT"]) == ("/var/run/postgresql", "jk", "postgres", "")


def test_postgres_url_keeps_the_connection_settings(monkeypatch):
    monkeypatch.setenv("JINGKAI_DB_CONN_MAX_AGE", "15")
    db = database_from_url("postgres://postgres@127.0.0.1:5432/jk")
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (15, True)


def test_sqlite_keeps_its_options():
    db = database_from_url("sqlite:///var/x%20y.sqlite3")
    assert Path(db["NAME"]) == BASE_DIR / "var" / "x y.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/jingkai", "jingkai.sqlite3", "sqlite://", "sqlite:///", "postgres://host:5432/"],
)
def test_unknown_or_incomplete_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)
