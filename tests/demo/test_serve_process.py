"""`jingkai demo` serves from a fresh interpreter: workers forked after the demo ran Polars hung on their first
parallel Polars call (a statistics import's preview waited forever)."""

from __future__ import annotations

import sys

from jingkai.demo.management.commands import demo


def test_the_demo_replaces_itself_by_jingkai_serve(monkeypatch):
    calls = []
    monkeypatch.setattr("os.execv", lambda path, argv: calls.append((path, argv)))
    demo.serve_in_a_fresh_process(8123)
    assert calls == [(sys.executable, [sys.executable, "-m", "jingkai", "serve", "--port", "8123"])]
