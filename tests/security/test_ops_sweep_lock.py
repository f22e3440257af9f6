"""Two sweeps never overlap (docs/security.md §7): the kernel lock (core.locks) around `jingkai sweep`.

PostgreSQL: an advisory lock; SQLite: an flock under VAR_DIR. The second run says so and does nothing (exit 0).
"""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from jingkai.core import locks
from jingkai.core.contributions import Sweeper
from jingkai.demands.models import DemandEvent
from tests.core.test_contributions import declare  # noqa: F401 (a fixture)
from tests.demands.conftest import category, file_demand  # noqa: F401 (fixtures)

FILED = dt.date(2023, 6, 5)


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_a_lock_is_held_by_one_taker_at_a_time(transactional_db):
    seen = {}
    with locks.exclusive("job") as first:

        def second():
            with locks.exclusive("job") as held:
                seen["while_held"] = held

        thread, errors = _in_thread(second)
        thread.join(10)
        assert not errors
        with locks.exclusive("other") as unrelated:  # another name is another lock
            seen["other"] = unrelated
    assert first is True
    assert seen == {"while_held": False, "other": True}

    def after():
        with locks.exclusive("job") as held:
            seen["after"] = held

    thread, errors = _in_thread(after)
    thread.join(10)
    assert not errors and seen["after"] is True


def test_the_lock_is_released_when_the_block_raises(transactional_db):
    with pytest.raises(ZeroDivisionError), locks.exclusive("job"):
        1 / 0  # noqa: B018
    with locks.exclusive("job") as held:
        assert held


def test_two_concurrent_sweeps_exactly_one_runs_and_escalates_once(
    transactional_db,
    zone,
    file_demand,  # noqa: F811
    declare,  # noqa: F811
):
    """Today two cron runs could both escalate the same demands; with the lock the second does nothing."""
    for enterprise in (zone.above1, zone.below1, zone.above2):
        file_demand(enterprise=enterprise, on=FILED)
    started, release = threading.Event(), threading.Event()
    calls = []

    def hold(now, stdout=None):
        calls.append(now)
        if len(calls) == 1:  # the first run waits here, inside the sweep, until the second one has tried
            started.set()
            release.wait(20)
        return {}

    declare("tests", Sweeper(hold, order=0, name="hold"))
    first_out = io.StringIO()
    thread, errors = _in_thread(lambda: call_command("sweep", at="2023-06-12 09:00", stdout=first_out))
    assert started.wait(20)
    second_out = io.StringIO()
    with translation.override("en"):
        call_command("sweep", at="2023-06-12 09:00", stdout=second_out)  # returns, no SystemExit: exit 0
    release.set()
    thread.join(30)
    assert not errors
    assert "Another sweep is running" in second_out.getvalue()
    assert len(calls) == 1  # the second run ran no sweeper at all
    assert "escalated_2=3" in first_out.getvalue()
    escalations = list(DemandEvent.objects.filter(action="escalate").values_list("demand_id", "level"))
    assert len(escalations) == len(set(escalations)) == 6  # three demands, levels 1 and 2, once each
