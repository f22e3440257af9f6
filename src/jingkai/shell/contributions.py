"""The shell's own navigation entries: the home page, and Django's administration for those who may use it."""

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import NavEntry

CONTRIBUTIONS = [
    NavEntry("home", _("Home"), order=10),
    NavEntry(
        "admin:index", _("Administration"), permission="core.can_use_admin_site", area="tools", order=10
    ),
]
