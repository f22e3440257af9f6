"""The demo zone, loaded once per test module inside a transaction that is rolled back afterwards.

Tests use the `db` fixture as usual: each runs in a savepoint inside the module's transaction, so the
zone is shared by the module's tests and never leaks into other test folders.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from jingkai.demo.generator import DEFAULT_SEED, load_demo


@pytest.fixture(scope="module")
def demo_zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo(seed=DEFAULT_SEED)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
