"""What `jingkai demo` does before Django reads its settings: choose the demo's database.

Runs before django.setup(), so it must not import settings or models.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ENV = "JINGKAI_DATABASE_URL"


def default_demo_db() -> Path:
    """var/demo.sqlite3 in the checkout (src layout: src/jingkai/__init__.py -> checkout)."""
    # src/jingkai/demo/cli.py -> the checkout
    return Path(__file__).resolve().parents[3] / "var" / "demo.sqlite3"


def sqlite_url(path: Path) -> str:
    # An absolute path gives sqlite:////abs/path, which settings.database_from_url reads as absolute.
    return "sqlite:///" + str(path)


def prepare_demo_environment(args: list[str]) -> str:
    """Point JINGKAI_DATABASE_URL at the demo database and return the URL in use.

    --db PATH wins; otherwise an existing JINGKAI_DATABASE_URL (e.g. PostgreSQL) is kept; otherwise
    var/demo.sqlite3. Only --db is read here; every argument is left for the command itself.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _rest = parser.parse_known_args(args)
    if known.db:
        url = sqlite_url(Path(known.db).expanduser().resolve())
    elif os.environ.get(ENV):
        return os.environ[ENV]
    else:
        url = sqlite_url(default_demo_db())
    os.environ[ENV] = url
    return url
