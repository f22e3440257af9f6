from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "jingkai.analytics"
    label = "analytics"
    verbose_name = _("Economic operation")
