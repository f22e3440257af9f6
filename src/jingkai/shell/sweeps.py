"""The periodic sweep (`jingkai sweep`, run by cron or the worker): each app's part, in order.

Every sweeper is `run(now: datetime, stdout=None) -> dict[str, int]` (counts to print). A sweeper must be
idempotent (running it twice produces nothing twice; notifications carry unique keys) and set-based (its
number of queries does not grow with the number of rows). After all sweepers ran, pending notifications
are e-mailed once, as one digest per recipient.
"""

from __future__ import annotations

from importlib import import_module

SWEEPERS = [
    "jingkai.demands.sweep.run",
    "jingkai.campaigns.sweep.run",
    "jingkai.investment.reminders.run",
]


def sweepers():
    for path in SWEEPERS:
        module, _, name = path.rpartition(".")
        yield path, getattr(import_module(module), name)


def run_all(now, stdout=None) -> dict[str, dict]:
    from jingkai.notifications.services import send_pending_emails

    results = {path: fn(now, stdout=stdout) or {} for path, fn in sweepers()}
    results["emails"] = {"sent": send_pending_emails()}
    return results
