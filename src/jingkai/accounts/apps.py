from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jingkai.accounts"
    label = "accounts"
    verbose_name = _("Identity and sessions")

    def ready(self):
        # The receivers of Django's and axes' sign-in signals, the admin's account creation, and the lock-out.
        from jingkai.accounts import lockout, signals  # noqa: F401
