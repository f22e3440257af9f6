from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import NavEntry

CONTRIBUTIONS = [
    NavEntry(
        "accounts:sign_in_admin",
        _("Sign-in security"),
        permission="accounts.can_manage_sign_in",
        area="tools",
        order=60,
    ),
]
