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
