"""prepare_demo_environment chooses the demo database before Django reads its settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import jingkai
from jingkai.demo.cli import ENV, default_demo_db, prepare_demo_environment
from jingkai.settings import BASE_DIR, database_from_url


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    # setenv first so that monkeypatch records the variable and restores it after the test, even
    # though prepare_demo_environment writes os.environ directly.
    monkeypatch.setenv(ENV, "unused")
    monkeypatch.delenv(ENV)


def test_default_is_var_demo_sqlite3_in_the_checkout(monkeypatch):
    args = ["--no-serve", "--port", "8123"]
    url = prepare_demo_environment(args)
    expected = Path(jingkai.__file__).resolve().parent.parent.parent / "var" / "demo.sqlite3"
    assert default_demo_db() == expected == (BASE_DIR / "var" / "demo.sqlite3").resolve()
    assert url == f"sqlite:///{expected}" and url.startswith("sqlite:////")

    assert os.environ[ENV] == url
    assert database_from_url(url)["NAME"] == str(expected)
    assert args == ["--no-serve", "--port", "8123"]  # nothing consumed


def test_db_option_gives_an_absolute_sqlite_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = prepare_demo_environment(["--db", "sub/demo.db", "--no-serve"])
    assert url == f"sqlite:///{tmp_path.resolve() / 'sub' / 'demo.db'}"
    assert database_from_url(url)["NAME"] == str(tmp_path.resolve() / "sub" / "demo.db")


def test_db_equals_form(tmp_path):
    target = tmp_path / "x.sqlite3"
    assert prepare_demo_environment([f"--db={target}"]) == f"sqlite:///{target.resolve()}"


def test_an_existing_database_url_is_respected(monkeypatch):
    monkeypatch.setenv(ENV, "postgres://postgres@127.0.0.1:5432/jk")
    assert prepare_demo_environment(["--no-serve"]) == "postgres://postgres@127.0.0.1:5432/jk"

    assert os.environ[ENV] == "postgres://postgres@127.0.0.1:5432/jk"


def test_an_explicit_db_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, "postgres://postgres@127.0.0.1:5432/jk")
    url = prepare_demo_environment(["--db", str(tmp_path / "d.sqlite3")])
    assert url.startswith("sqlite:////")

    assert os.environ[ENV] == url


def test_the_command_help_renders():
    from django.core.management import load_command_class

    text = load_command_class("jingkai.demo", "demo").create_parser("jingkai", "demo").format_help()
    for option in ("--db", "--no-serve", "--port", "--scale", "--seed", "--force"):
        assert option in text
