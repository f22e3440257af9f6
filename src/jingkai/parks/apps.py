from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    name = "jingkai.parks"
    label = "parks"
    verbose_name = _("Parks")
