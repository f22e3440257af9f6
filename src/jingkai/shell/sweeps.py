"""The periodic sweep (`jingkai sweep`, run by cron or the worker): every app's Sweeper, in order.

Each app declares its sweepers in its contributions (Sweeper, core.contributions): `run(now, stdout=None) ->
dict[str, int]` (counts to print). A sweeper must be idempotent (running it twice produces nothing twice;
notifications carry unique keys) and set-based (its number of queries does not grow with the number of rows).
The notifications app's sweeper comes last: it e-mails what the others produced, one digest per recipient.
"""

from __future__ import annotations

from jingkai.core.contributions import Sweeper, declared


def sweepers():
    for sweeper in declared(Sweeper):
        yield sweeper.name, sweeper.run


def run_all(now, stdout=None) -> dict[str, dict]:
    return {name: run(now, stdout=stdout) or {} for name, run in sweepers()}
