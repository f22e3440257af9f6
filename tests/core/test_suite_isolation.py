"""The suite's own isolation: a transactional test's flush must not take away what data migrations put in, since
pytest-xdist may send any file to a worker after a transactional one (tests/conftest.py)."""

from __future__ import annotations

import pytest

from jingkai.demands.models import DemandCategory, DemandPolicy


def test_a_transactional_test_flushes_the_database(transactional_db):
    assert DemandCategory.objects.exists()  # as the migrations (or the previous test's restore) left it


def test_the_next_test_still_finds_the_default_categories(transactional_db):
    # Both tests are transactional, so they run in this order, the first one's flush in between.
    assert DemandCategory.objects.filter(parent__isnull=True).exists()
    assert DemandPolicy.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_marked_transactional_test_flushes_too():
    assert DemandCategory.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_and_the_next_one_still_finds_them():
    assert DemandCategory.objects.filter(parent__isnull=True).exists()
