"""API tokens expire, record their last use and leave one audit event per window (docs/security.md §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.models import ApiToken


def _get(raw: str, path: str = "/api/enterprises?limit=1"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path)


def _events(kind, token) -> int:
    return AuditEvent.objects.filter(kind=kind, target=f"core.apitoken:{token.pk}").count()


def test_a_token_expires_after_its_days_and_the_refusal_is_audited_once(zone, settings):
    token, raw = ApiToken.issue(zone["zone_admin"], days=3)
    assert token.expires_at - timezone.now() == pytest.approx(
        dt.timedelta(days=3), abs=dt.timedelta(seconds=5)
    )
    assert _get(raw).status_code == 200

    # Used ten minutes ago (audited then), expired a second ago: the refusal is recorded though the hour of the
    # last use's audit has not passed.
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        use_audited_at=now - dt.timedelta(minutes=10), expires_at=now - dt.timedelta(seconds=1)
    )
    assert _get(raw).status_code == 401
    assert _get(raw).status_code == 401  # a script retrying does not flood the log
    assert _events(Kind.TOKEN_EXPIRED, token) == 1


def test_first_use_records_last_use_and_one_audit_event_per_window(zone, settings):
    settings.JINGKAI_TOKEN_USE_AUDIT_MINUTES = 60
    token, raw = ApiToken.issue(zone["grid_officer"])
    assert token.last_used_at is None
    for _ in range(3):
        assert _get(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < dt.timedelta(minutes=1)
    assert _events(Kind.TOKEN_USED, token) == 1
    event = AuditEvent.objects.filter(kind=Kind.TOKEN_USED).latest("at")
    assert event.actor_username == zone["grid_officer"].username

    # An hour later the next use is audited again.
    earlier = timezone.now() - dt.timedelta(minutes=61)
    ApiToken.objects.filter(pk=token.pk).update(use_audited_at=earlier, last_used_at=earlier)
    assert _get(raw).status_code == 200
    assert _events(Kind.TOKEN_USED, token) == 2
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_a_token_is_never_issued_beyond_the_ceiling(zone, settings):
    settings.JINGKAI_API_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValueError, match="outside"):
        ApiToken.issue(zone["zone_admin"], days=31)
    with pytest.raises(ValueError, match="outside"):
        ApiToken.issue(zone["zone_admin"], days=0)
    with pytest.raises(CommandError, match="30"):
        call_command("token", "zone_admin", "--days", "31")
    assert not ApiToken.objects.filter(user=zone["zone_admin"]).exists()


def test_jingkai_token_days_sets_the_expiry(zone, capsys):
    call_command("token", "zone_admin", "--days", "7")
    token = ApiToken.objects.get(user=zone["zone_admin"])
    assert token.expires_at - timezone.now() == pytest.approx(
        dt.timedelta(days=7), abs=dt.timedelta(seconds=30)
    )
