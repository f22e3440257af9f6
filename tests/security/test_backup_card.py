"""The last good backup on the system administrator's home page, with a warning past the RPO (§6)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone, translation

from jingkai.core import audit, backup
from jingkai.core.models import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _backup_at(hours_ago: float, ok: bool = True):
    # Recorded as a backup made then would have been (the audit log refuses updates, so the clock moves).
    then = timezone.now() - dt.timedelta(hours=hours_ago)
    with mock.patch("django.utils.timezone.now", return_value=then):
        audit.record(audit.Kind.BACKUP, summary="test", ok=ok, path="/srv/backups/x")


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    # The security and the audit administrator are sent on to their own page (core.separation.LANDING).
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_status_against_the_rpo(db, settings):
    settings.JINGKAI_BACKUP_RPO_HOURS = 24
    assert backup.status()["at"] is None and backup.status()["overdue"]
    _backup_at(30)
    assert backup.status()["overdue"] and backup.status()["age_hours"] == pytest.approx(30, abs=0.1)
    _backup_at(2, ok=False)  # a failed backup is not a good one
    assert backup.status()["age_hours"] == pytest.approx(30, abs=0.1)
    _backup_at(2)
    state = backup.status()
    assert not state["overdue"] and state["age_hours"] == pytest.approx(2, abs=0.1)
    settings.JINGKAI_BACKUP_RPO_HOURS = 1
    assert backup.status()["overdue"]


def test_the_system_admin_sees_the_card_and_its_warning(db):
    admin = f.UserFactory(role=Role.SYSTEM_ADMIN)
    page = _home(admin)
    assert 'data-card="backup" data-overdue="1"' in page and "No backup recorded" in page
    _backup_at(30)
    page = _home(admin)
    assert 'data-overdue="1"' in page and "Older than the recovery point objective of 24 hours" in page
    _backup_at(1)
    page = _home(admin)
    assert 'data-card="backup"' in page and 'data-overdue="1"' not in page
    assert "hours ago (objective: 24 hours)" in page


@pytest.mark.parametrize("role", [Role.ZONE_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.GRID_OFFICER])
def test_no_one_else_sees_it(db, role):
    assert 'data-card="backup"' not in _home(f.UserFactory(role=role))
