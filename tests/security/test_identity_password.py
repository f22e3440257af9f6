"""Password policy (docs/security.md §2): the rules, the history, expiry and the forced change."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from jingkai.accounts import services
from jingkai.accounts.models import PasswordHistory
from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.models import ApiToken, Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "Lantern-river-42"


def codes(password, user):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "password_too_short"),  # 7 characters
        ("Abcdefgh1", "password_too_short"),  # 9: the floor is 10
        ("abcdefghijkl", "password_too_few_classes"),  # one class
        ("abcdefghij12", "password_too_few_classes"),  # two classes
        ("xx-alice-Y7zz", "password_contains_username"),
        ("xx-ALICE-y7zz", "password_contains_username"),  # whatever the case
    ],
)
def test_a_weak_password_is_refused_naming_the_rule(password, code):
    assert code in codes(password, UserFactory(username="alice"))


@pytest.mark.parametrize("password", ["Abcdefghij1", "abcdefghij1!", "ABCDEFGHIJ1!", GOOD])
def test_three_of_four_classes_and_ten_characters_pass(password):
    assert codes(password, UserFactory(username="alice")) == set()


def test_none_of_the_last_five_passwords_again():
    user = UserFactory(username="bob")
    passwords = [f"Lantern-river-{n}" for n in range(6)]
    for password in passwords:
        services.change_password(user, password)
    # The current one and the four before it are refused; the sixth-latest is allowed again.
    for password in passwords[1:]:
        assert "password_reused" in codes(password, user), password
    assert codes(passwords[0], user) == set()
    # Only hashes are kept, and only as many as the rule needs.
    stored = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(stored) == 4
    assert all(s.startswith(("md5$", "pbkdf2", "argon2")) for s in stored)
    assert not any(p in s for s in stored for p in passwords)


def test_the_change_page_changes_the_password_and_audits_it():
    user = UserFactory(username="carol", role=Role.DEPARTMENT)
    client = Client()
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    with translation.override("en"):
        bad = client.post(url, {"old_password": "wrong", "new_password1": GOOD, "new_password2": GOOD})
    assert bad.status_code == 200 and b"not correct" in bad.content
    weak = client.post(
        url, {"old_password": "pw-for-tests-1", "new_password1": "short", "new_password2": "short"}
    )
    assert weak.status_code == 200
    response = client.post(
        url, {"old_password": "pw-for-tests-1", "new_password1": GOOD, "new_password2": GOOD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGED, actor_id=user.pk).exists()
    # The session that changed it stays signed in.
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", [r for r, _label in Role.choices])
def test_every_role_reaches_the_change_page_from_the_user_menu(role):
    user = UserFactory(role=role)
    client = Client()
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    home = client.get(reverse("home"), follow=True)
    assert f'href="{url}"'.encode() in home.content


def test_an_expired_password_sends_to_the_change_page():
    user = UserFactory(username="dave")
    client = Client()
    client.force_login(user)
    home = reverse("home")
    assert client.get(home).status_code == 200
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=90, minutes=1)
    )
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change") + "?next=")
    with translation.override("en"):
        page = client.get(reverse("accounts:password_change"))
    assert b'id="jk-password-expired"' in page.content
    # The API with that session: 403 saying why; a token of the same user is not affected.
    with translation.override("en"):
        api = client.get("/api/enterprises")
    assert api.status_code == 403 and "expired" in api.json()["detail"]
    _token, raw = ApiToken.issue(user)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/enterprises").status_code == 200
    # Changing it lets the user through again.
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "pw-for-tests-1", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get(reverse("enterprises:list")).status_code == 200


def test_a_password_of_89_days_is_not_expired():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=89))
    client = Client()
    client.force_login(user)
    assert client.get(reverse("enterprises:list")).status_code == 200


def test_createsuperuser_and_create_user_force_a_change_factories_do_not():
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.invalid")
    assert User.objects.get(username="root").must_change_password
    assert User.objects.create_user("made", password=GOOD).must_change_password
    assert not UserFactory().must_change_password


def test_an_account_made_in_the_admin_site_must_change_its_password():
    admin_user = UserFactory(username="boss", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "newcomer",
            "full_name": "新同事",
            "role": Role.GRID_OFFICER,
            "password1": GOOD,
            "password2": GOOD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password
    first = Client()
    first.post(reverse("login"), {"username": "newcomer", "password": GOOD})
    forced = first.get(reverse("home"))
    assert forced.status_code == 302 and forced["Location"].startswith(reverse("accounts:password_change"))
    with translation.override("en"):
        assert b'id="jk-password-forced"' in first.get(reverse("accounts:password_change")).content
    first.post(
        reverse("accounts:password_change"),
        {"old_password": GOOD, "new_password1": "Harbour-light-77", "new_password2": "Harbour-light-77"},
    )
    assert first.get(reverse("home")).status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password


def test_a_password_an_administrator_sets_in_the_admin_must_be_changed():
    admin_user = UserFactory(username="boss", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    target = UserFactory(username="forgetful")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": GOOD, "password2": GOOD, "usable_password": "true", "set_usable_password": "true"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password
    assert AuditEvent.objects.filter(
        kind=Kind.PASSWORD_RESET, actor_id=admin_user.pk, target=f"core.user:{target.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JINGKAI_PASSWORD_MIN_LENGTH", "8"),
        ("JINGKAI_PASSWORD_MIN_CLASSES", "2"),
        ("JINGKAI_PASSWORD_HISTORY", "3"),
        ("JINGKAI_PASSWORD_MAX_AGE_DAYS", "180"),
        ("JINGKAI_LOGIN_FAILURE_LIMIT", "10"),
        ("JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES", "5"),
        ("JINGKAI_LOCKOUT_MINUTES", "10"),
        ("JINGKAI_SESSION_IDLE_MINUTES", "60"),
        ("JINGKAI_SESSION_ABSOLUTE_HOURS", "24"),
        ("JINGKAI_API_TOKEN_DAYS", "400"),
        ("JINGKAI_API_TOKEN_MAX_DAYS", "1000"),
        ("JINGKAI_OTP_RECOVERY_CODES", "2"),
    ],
)
def test_a_weaker_setting_refuses_to_start(name, value):
    env = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "jingkai.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import jingkai.settings"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0
    assert name in result.stderr and "docs/security.md" in result.stderr
