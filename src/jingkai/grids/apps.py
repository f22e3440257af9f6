from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "jingkai.grids"
    label = "grids"
    verbose_name = _("Grids")
