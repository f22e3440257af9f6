"""Chinese names for django-axes in the admin (axes ships no zh_Hans catalogue).

Axes marks its model names, fields, fieldsets and actions with gettext, so our catalogue (LOCALE_PATHS,
which Django consults before the apps' own) can translate them. `jingkai i18n` runs makemessages over our
sources only and drops every entry it does not find there, so the msgids axes uses are listed below with
gettext_noop: that keeps them in the catalogue (their Chinese is in locale/pending/wording-review.json).

Axes' AppConfig has no verbose_name (the admin would show "Axes"); `name_axes_app` gives it one. It is
called from CoreConfig.ready(), so INSTALLED_APPS keeps the plain "axes".
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_MSGIDS = (
    # models (axes/models.py)
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # fields
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Session key hash (sha256)"),
    # admin (axes/admin.py): fieldsets, filter, action, columns
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Locked Out"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)


def name_axes_app() -> None:
    """The admin's section title for axes (登录安全 instead of "Axes"), and its two computed columns."""
    if not apps.is_installed("axes"):
        return
    apps.get_app_config("axes").verbose_name = _("Login security")
    from axes.admin import AccessAttemptAdmin

    # Columns named after their methods ("Status", "Expiration") unless given a description.
    AccessAttemptAdmin.status.short_description = _("status")
    AccessAttemptAdmin.expiration.short_description = _("Expires At")
