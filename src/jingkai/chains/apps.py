from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "jingkai.chains"
    label = "chains"
    verbose_name = _("Chains")

    def ready(self):
        from jingkai.chains import placement

        placement.connect()  # announce membership and digital-flag changes (placement.py)
