"""Password rules beyond Django's length and common-password checks (settings.AUTH_PASSWORD_VALIDATORS).

Each validator takes the user being given the password (Django passes it to `validate_password`); the history
rule compares against the current hash and the last N kept in PasswordHistory.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four classes the password uses: lower case, upper case, digits, anything else."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_few_classes")

    def get_help_text(self):
        return _(
            "Your password must use at least %(count)d of: lower-case letters, upper-case letters, digits, "
            "other characters."
        ) % {"count": self.min_classes}


class NotContainingUsernameValidator:
    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self):
        return _("Your password must not contain your user name.")


class HistoryValidator:
    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from jingkai.accounts.models import PasswordHistory

        # The current password and the ones before it: `count` in all.
        hashes = [user.password] if user.password else []
        hashes += list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count - 1]
        )
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self):
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}
