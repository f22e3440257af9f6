"""三员分立 (docs/security.md §3): the system administrator manages accounts, the security administrator roles,
the audit administrator reads the audit log and nothing else; no user holds two of them; a zone administrator
is no superuser and keeps what it did through its role."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jingkai.core import accounts, audit
from jingkai.core.audit import AuditEvent
from jingkai.core.models import ApiToken, Role, User
from jingkai.core.permissions import can_use_admin_site
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins():
    return {
        "system": f.UserFactory(username="sys", role=Role.SYSTEM_ADMIN, is_staff=True),
        "security": f.UserFactory(username="sec", role=Role.SECURITY_ADMIN),
        "audit": f.UserFactory(username="aud", role=Role.AUDIT_ADMIN),
        "zone": f.UserFactory(username="zone", role=Role.ZONE_ADMIN, is_staff=True),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- one role each ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SYSTEM_ADMIN])
def test_the_superuser_flag_goes_with_the_system_administrator_only(role):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=f"root-{role}", role=role, is_superuser=True)
    user = f.UserFactory(username=f"u-{role}", role=role)
    user.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_createsuperuser_makes_a_system_administrator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Long-pass-123")
    call_command("createsuperuser", username="root", email="r@x.cn", interactive=False, stdout=io.StringIO())
    root = User.objects.get(username="root")
    assert root.is_superuser and root.role == Role.SYSTEM_ADMIN


def test_a_superuser_system_administrator_sees_no_zone_data(zone):
    from jingkai.enterprises.models import Enterprise

    root = User.objects.create_superuser("root", "r@x.cn", "a-Long-pass-123")
    # createsuperuser's account must change its password first (docs/security.md §2): done, here.
    User.objects.filter(pk=root.pk).update(must_change_password=False)
    root.refresh_from_db()
    assert not root.is_zone_admin
    assert not Enterprise.objects.visible_to(root).exists()
    client = _client(root)
    assert client.get(reverse("enterprises:list")).status_code == 403
    # In the admin site: the user pages and sign-in records, and no zone area whatever the superuser flag grants.
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    for area in ("enterprises_enterprise", "grids_grid", "notifications_notification", "core_department"):
        assert client.get(reverse(f"admin:{area}_changelist")).status_code == 403, area


# --- the zone administrator: no superuser, its role does the work ------------------------------------------


def test_a_zone_administrator_reaches_zone_configuration_by_role_but_not_the_user_pages(admins):
    zone_admin = admins["zone"]
    assert not zone_admin.is_superuser and zone_admin.is_zone_admin and can_use_admin_site(zone_admin)
    client = _client(zone_admin)
    assert client.get(reverse("admin:grids_grid_changelist")).status_code == 200
    assert client.get(reverse("admin:core_department_add")).status_code == 200
    grid = f.GridFactory()
    # Deleting, once a superuser's, is the zone administrator's by role.
    assert client.get(reverse("admin:grids_grid_delete", args=[grid.pk])).status_code == 200
    assert client.get(reverse("admin:core_user_changelist")).status_code == 403


# --- the system administrator: accounts -------------------------------------------------------------------


def test_the_system_administrator_creates_accounts_with_an_ordinary_role_only(admins):
    client = _client(admins["system"])
    form = client.get(reverse("admin:core_user_add")).content.decode()
    offered = {value for value, _label in accounts.ORDINARY_ROLES}
    assert f'value="{Role.GRID_OFFICER}"' in form
    for privileged in accounts.PRIVILEGED_ROLES:
        assert f'value="{privileged}"' not in form
    assert Role.ZONE_ADMIN not in offered
    response = client.post(
        reverse("admin:core_user_add"),
        {"username": "newbie", "full_name": "新人", "role": Role.ZONE_ADMIN, "password1": "Xy-long-pass-91",
         "password2": "Xy-long-pass-91", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and not User.objects.filter(username="newbie").exists()
    response = client.post(
        reverse("admin:core_user_add"),
        {"username": "newbie", "full_name": "新人", "role": Role.COMMUNITY_OFFICER, "password1": "Xy-long-pass-91",
         "password2": "Xy-long-pass-91", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    newbie = User.objects.get(username="newbie")
    event = AuditEvent.objects.get(kind=audit.Kind.USER_CREATED)
    assert event.target == f"core.user:{newbie.pk}" and event.actor_id == admins["system"].pk
    assert event.details == {"username_created": "newbie", "role": Role.COMMUNITY_OFFICER}


def test_the_system_administrator_cannot_change_a_role_and_deactivation_is_audited(admins):
    officer = f.UserFactory(username="officer", role=Role.GRID_OFFICER)
    client = _client(admins["system"])
    page = client.get(reverse("admin:core_user_change", args=[officer.pk])).content.decode()
    assert 'name="role"' not in page and 'name="is_superuser"' not in page
    data = {"username": "officer", "full_name": "x", "email": "", "phone": "", "role": Role.ZONE_ADMIN,
            "is_active": "", "is_staff": ""}  # fmt: skip
    response = client.post(reverse("admin:core_user_change", args=[officer.pk]), data)
    assert response.status_code == 302, response.content[:800]
    officer.refresh_from_db()
    assert officer.role == Role.GRID_OFFICER and not officer.is_active
    event = AuditEvent.objects.get(kind=audit.Kind.USER_DEACTIVATED)
    assert event.target == f"core.user:{officer.pk}" and event.actor_id == admins["system"].pk


# --- the security administrator: roles ----------------------------------------------------------------------


def test_a_role_change_is_audited_with_old_new_and_by_whom(admins):
    officer = f.UserFactory(username="officer", role=Role.GRID_OFFICER)
    client = _client(admins["security"])
    assert client.get(reverse("security:roles")).status_code == 200
    response = client.post(reverse("security:role", args=[officer.pk]), {"role": Role.GRID_LEADER})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.role == Role.GRID_LEADER
    event = AuditEvent.objects.get(kind=audit.Kind.ROLE_CHANGED)
    assert event.actor_id == admins["security"].pk and event.target == f"core.user:{officer.pk}"
    assert event.details == {"old": Role.GRID_OFFICER, "new": Role.GRID_LEADER, "username_changed": "officer"}


def test_only_the_security_administrator_changes_roles_and_never_their_own(admins):
    officer = f.UserFactory(username="officer")
    for key in ("system", "audit", "zone"):
        with pytest.raises(PermissionDenied):
            accounts.change_role(officer, Role.ZONE_ADMIN, actor=admins[key])
        assert (
            _client(admins[key])
            .post(reverse("security:role", args=[officer.pk]), {"role": "zone_admin"})
            .status_code
            == 403
        )
    with pytest.raises(ValidationError):
        accounts.change_role(admins["security"], Role.SYSTEM_ADMIN, actor=admins["security"])
    root = User.objects.create_superuser("root", "r@x.cn", "a-Long-pass-123")
    with pytest.raises(ValidationError):
        accounts.change_role(root, Role.ZONE_ADMIN, actor=admins["security"])
    officer.refresh_from_db()
    assert officer.role == Role.GRID_OFFICER and not AuditEvent.objects.filter(kind="role_changed").exists()


def test_the_roles_page_shows_the_refusal_on_the_form(admins):
    with translation.override("en"):
        response = _client(admins["security"]).post(
            reverse("security:role", args=[admins["security"].pk]), {"role": Role.AUDIT_ADMIN}
        )
    assert response.status_code == 200 and "No one changes their own role." in response.content.decode()
    admins["security"].refresh_from_db()
    assert admins["security"].role == Role.SECURITY_ADMIN


# --- the audit administrator: the log and nothing else -----------------------------------------------------


def test_the_audit_administrator_reads_the_log_and_nothing_else(admins, zone):
    audit.record(audit.Kind.LOGIN, user=admins["zone"], target=admins["zone"], summary="签到")
    audit.record(audit.Kind.EXPORT, user=admins["system"], summary="x", rows=1, sha256="0")
    client = _client(admins["audit"])
    page = client.get(reverse("audit:log"), {"kind": "login", "user": "zone"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-event=") == 1 and "签到" in html
    assert (
        client.get(reverse("audit:log"), {"date_from": "2099-01-01"}).content.decode().count("data-event=")
        == 0
    )
    assert (
        client.get(reverse("audit:log"), {"target": f"core.user:{admins['zone'].pk}"})
        .content.decode()
        .count("data-event=")
        == 1
    )
    # Every other page, the API (session and token) and the admin site are refused.
    for name in ("enterprises:list", "demands:list", "visits:list", "security:roles"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get("/api/enterprises").status_code == 403
    token = ApiToken.issue(admins["audit"])[1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/enterprises").status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302  # the admin's login page
    # Home sends each of the three to their own page.
    assert client.get(reverse("home"))["Location"] == reverse("audit:log")
    assert _client(admins["security"]).get(reverse("home"))["Location"] == reverse("security:roles")
    # The system administrator's home is the home page: the last good backup (docs/security.md §6).
    assert _client(admins["system"]).get(reverse("home")).status_code == 200


def test_no_one_else_reads_the_log(admins, zone):
    for user in [*(admins[k] for k in ("system", "security", "zone")), zone["grid_officer"]]:
        assert _client(user).get(reverse("audit:log")).status_code == 403, user.username
        assert _client(user).get(reverse("audit:export")).status_code == 403, user.username


def test_no_admin_page_edits_or_deletes_audit_events():
    from django.contrib import admin

    assert AuditEvent not in admin.site._registry
