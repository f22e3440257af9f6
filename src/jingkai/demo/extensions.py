"""The demo's later chapters: each app that owns demo data has a `demo` module with

    load(seed: int, stdout=None) -> dict      # after the registry is written; returns row counts
    scale(n: int, seed: int, stdout=None)     # optional: after `--scale N` added N enterprises

`jingkai demo` calls them in the order below, so an app may rely on the data of the ones before it
(demands link to visits; investment reads the registry and the statistics).
"""

from __future__ import annotations

from importlib import import_module

DEMO_MODULES = [
    "jingkai.stats.demo",
    "jingkai.analytics.demo",
    "jingkai.visits.demo",
    "jingkai.demands.demo",
    "jingkai.campaigns.demo",
    "jingkai.investment.demo",
]


def load_all(seed: int, stdout=None) -> dict:
    counts: dict = {}
    for name in DEMO_MODULES:
        counts.update(import_module(name).load(seed, stdout=stdout) or {})
    return counts


def scale_all(n: int, seed: int, stdout=None) -> None:
    for name in DEMO_MODULES:
        module = import_module(name)
        if hasattr(module, "scale"):
            module.scale(n, seed, stdout=stdout)
