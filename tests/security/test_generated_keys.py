"""A trial install generates its secret key and personal-data keys once under var/ (docs/security.md §4): processes
starting together on a fresh machine (the web server and its worker) must all end up with the same keys."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SHOW = (
    "import json, django; from django.conf import settings as s; "
    "print(json.dumps([s.SECRET_KEY, s.JINGKAI_PII_KEYS, s.JINGKAI_PII_INDEX_KEY]))"
)


@pytest.mark.slow
def test_processes_started_together_share_one_set_of_generated_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_")}
    env.update(JINGKAI_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="jingkai.settings")
    processes = [
        subprocess.Popen([sys.executable, "-c", SHOW], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    seen = {process.communicate(timeout=120)[0].strip().splitlines()[-1] for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(seen) == 1, seen
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pii_keys.json",
        "secret_key",
    ]  # no draft left behind
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in tmp_path.iterdir())
