from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "jingkai.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self):
        from jingkai.enterprises import placement

        placement.connect()  # announce moves between grids, parks, groups, chains, 规上 status (placement.py)
