from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShellConfig(AppConfig):
    """The surface that composes every app: home page, navigation, the sweep runner, the page frame."""

    name = "jingkai.shell"
    label = "shell"
    verbose_name = _("Site")
