"""The demo's later chapters: each app that owns demo data declares a DemoChapter in its contributions,

    load(seed: int, stdout=None) -> dict      # after the registry is written; returns row counts
    scale(n: int, seed: int, stdout=None)     # optional: after `--scale N` added N enterprises

and `jingkai demo` calls them in INSTALLED_APPS order, each after the chapters it names in `after`, so an app
may rely on the data of the ones it waits for (demands link to visits; investment reads the statistics).
"""

from __future__ import annotations

from jingkai.core.contributions import ordered_chapters


def chapters():
    """(app label, chapter) in the order they run."""
    return [(d.app, d.item) for d in ordered_chapters()]


def load_all(seed: int, stdout=None) -> dict:
    counts: dict = {}
    for _app, chapter in chapters():
        counts.update(chapter.load(seed, stdout=stdout) or {})
    return counts


def scale_all(n: int, seed: int, stdout=None) -> None:
    for _app, chapter in chapters():
        if chapter.scale is not None:
            chapter.scale(n, seed, stdout=stdout)
