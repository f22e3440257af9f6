"""The `jingkai` command: Django's management commands plus the platform's own.

jingkai demo [--db PATH] [--no-serve] [--no-worker] [--port N] [--scale N]
jingkai serve [--port N] [--no-worker]   (gunicorn, and one background-job worker beside it)
jingkai worker [--batch] [--no-sweep]    (background jobs, and the sweep on its schedule: docs/operations.md)
jingkai token USERNAME
jingkai uscc CODE...
jingkai check-coverage [--year YEAR]
jingkai audit verify | purge   (the audit log: docs/security.md §3)
jingkai <any Django management command>
"""

from __future__ import annotations

import os
import sys

# Commands whose public names have hyphens map onto Django command modules.
ALIASES = {"check-coverage": "check_coverage", "investment-summary": "investment_summary"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if argv and argv[0] == "demo":
        # The demo owns its database: point the settings at it before Django configures itself.
        from jingkai.demo.cli import prepare_demo_environment

        prepare_demo_environment(argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jingkai", *argv])


if __name__ == "__main__":
    main()
