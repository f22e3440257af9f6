"""jingkai token USERNAME: issue an API bearer token (shown once; only its hash is stored)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.commands import JingkaiCommand
from jingkai.core.models import ApiToken


class Command(JingkaiCommand):
    help = gettext_lazy("Print a new API token for an active user.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="", help=gettext_lazy("what the token is for, e.g. the script that uses it")
        )

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user %(username)s is not active.") % {"username": username})
        token, raw = ApiToken.issue(user, name=name)
        # The token alone on standard output, so scripts can capture it; the advice goes to standard error.
        self.stdout.write(raw)
        self.stderr.write(
            _("Token %(prefix)s… for %(username)s: store it now, it cannot be shown again.")
            % {"prefix": token.prefix, "username": username}
        )
