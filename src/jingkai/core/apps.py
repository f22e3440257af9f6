from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jingkai.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from jingkai.core.axes_i18n import name_axes_app

        name_axes_app()
        # After the admin's autodiscovery (django.contrib.admin comes first in INSTALLED_APPS).
        from jingkai.core.admin import confine_areas

        confine_areas()
        _classify_personal_data()
        # Job kinds (core.jobs): the kernel's, and every app's `<app>/jobs.py`, so that each process (web
        # server and worker) knows every kind and its label.
        from django.utils.module_loading import autodiscover_modules

        from jingkai.core import export_jobs  # noqa: F401

        autodiscover_modules("jobs")


def _classify_personal_data() -> None:
    """docs/security.md §4: the kernel's fields whose names suggest personal data, and who may reveal a phone."""
    from jingkai.core import personal
    from jingkai.core.models import User

    personal.classify(
        User,
        "full_name",
        personal=True,
        kind=personal.NAME,
        reason="a staff member's name, shown to colleagues",
    )
    personal.classify(
        User, "first_name", personal=True, kind=personal.NAME, reason="Django's column, unused (full_name is)"
    )
    personal.classify(
        User, "last_name", personal=True, kind=personal.NAME, reason="Django's column, unused (full_name is)"
    )
    personal.classify(
        User,
        "email",
        personal=True,
        kind=personal.EMAIL,
        reason="the notification address; shown to administrators",
    )
    personal.revealable(
        User,
        may="core.can_reveal_user_phone",
        visible=lambda user: User.objects.all() if user.is_staff_role else User.objects.filter(pk=user.pk),
        own=lambda user, obj: obj.pk == user.pk,
    )
