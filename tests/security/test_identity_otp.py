"""The second factor (docs/security.md §2), with it switched on (the `otp` marker): administrators cannot reach
any page until a TOTP code is verified; enrolment confirms a device and shows recovery codes once; a recovery
code works once; roles that do not need it are not asked; a security administrator's reset is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.otp]


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _unthrottle(user) -> None:
    # django-otp backs off after a wrong code (1 s, then 2, 4 …): a person waits; the test clears the wait.
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_zone_admin_without_a_device_is_sent_to_enrolment_and_sees_nothing_else():
    client = _client(UserFactory(role=Role.ZONE_ADMIN))
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_enrol"))
    api = client.get("/api/enterprises")
    assert api.status_code == 403


def _enrol():
    user = UserFactory(role=Role.ZONE_ADMIN)
    client = _client(user)
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200 and b"<svg" in page.content  # the QR code, inline SVG (no script)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(
        reverse("accounts:otp_enrol"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    _unthrottle(user)
    done = client.post(reverse("accounts:otp_enrol"), {"token": _code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("enterprises:list")).status_code == 200
    assert AuditEvent.objects.filter(kind=Kind.OTP_ENROLLED, actor_id=user.pk).exists()
    # Shown once: the enrolment page now only says a device exists (a second one needs a reset).
    again = client.get(reverse("accounts:otp_enrol"))
    assert not any(code.encode() in again.content for code in codes)
    return user, codes


def test_enrolment_confirms_the_device_shows_recovery_codes_once_and_opens_the_site():
    user, codes = _enrol()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_a_new_session_must_verify_and_a_recovery_code_works_once():
    user, codes = _enrol()
    fresh = _client(user)
    gated = fresh.get(reverse("enterprises:list"))
    assert gated.status_code == 302 and gated["Location"].startswith(reverse("accounts:otp_verify"))
    refused = fresh.post(reverse("accounts:otp_verify"), {"token": "12345678"})
    assert refused.status_code == 200 and fresh.get(reverse("enterprises:list")).status_code == 302
    _unthrottle(user)
    assert fresh.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert fresh.get(reverse("enterprises:list")).status_code == 200
    other = _client(user)
    assert other.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 200  # used already
    assert other.get(reverse("enterprises:list")).status_code == 302


def test_a_totp_code_verifies_a_session():
    user = UserFactory(role=Role.AUDIT_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _client(user)
    assert client.get(reverse("audit:log")).status_code == 302
    assert client.post(reverse("accounts:otp_verify"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("audit:log")).status_code == 200


def test_a_grid_officer_is_not_asked_for_a_second_factor():
    client = _client(UserFactory(role=Role.GRID_OFFICER))
    assert client.get(reverse("enterprises:list")).status_code == 200


def test_the_security_admin_resets_a_second_factor_and_it_is_audited():
    target = UserFactory(role=Role.ZONE_ADMIN)
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    security = UserFactory(role=Role.SECURITY_ADMIN)
    device = TOTPDevice.objects.create(user=security, name="phone", confirmed=True)
    client = _client(security)
    client.post(reverse("accounts:otp_verify"), {"token": _code(device)})
    response = client.post(reverse("accounts:otp_reset", args=[target.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(
        kind=Kind.OTP_RESET, actor_id=security.pk, target=f"core.user:{target.pk}"
    ).exists()
    # Anyone else: refused.
    grid = _client(UserFactory(role=Role.GRID_OFFICER))
    assert grid.post(reverse("accounts:otp_reset", args=[security.pk])).status_code == 403


def test_a_fragment_asked_for_before_the_code_is_refused_not_made_the_page_to_return_to():
    """The code page's own navigation asks for the notification badge with htmx: a redirect would swap the code
    page into the badge and, once the code is entered, land the user on the bare fragment."""
    user = UserFactory(role=Role.ZONE_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _client(user)
    badge = client.get(reverse("notifications:badge"), headers={"HX-Request": "true"})
    assert badge.status_code == 403 and "Location" not in badge
    page = client.get(reverse("enterprises:list"))
    assert page.status_code == 302 and "next=" in page["Location"]  # a page, by contrast, is returned to
    # Without the code the badge would be a page; once verified it answers the fragment.
    done = client.post(page["Location"], {"token": _code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("enterprises:list")
    assert client.get(reverse("notifications:badge"), headers={"HX-Request": "true"}).status_code == 200
