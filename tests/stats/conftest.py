from __future__ import annotations

import pytest
from django.db import transaction

from jingkai.demo.generator import DEFAULT_SEED, load_demo


@pytest.fixture(scope="module")
def demo_stats(django_db_setup, django_db_blocker):
    """The demo zone and its monthly statistics, once per module, rolled back afterwards."""
    from jingkai.stats import demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            counts = load_demo(seed=DEFAULT_SEED)  # runs the apps' demo loaders, stats' included
            from jingkai.stats.models import MonthlyReport

            if not MonthlyReport.objects.exists():
                counts = demo.load(DEFAULT_SEED)
            yield counts
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
