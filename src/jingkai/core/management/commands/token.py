"""jingkai token USERNAME [--name TEXT] [--days N]: issue an API bearer token (shown once; only its hash is
stored), valid for N days (settings.JINGKAI_API_TOKEN_DAYS by default, at most JINGKAI_API_TOKEN_MAX_DAYS)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import audit
from jingkai.core.commands import JingkaiCommand
from jingkai.core.models import ApiToken


class Command(JingkaiCommand):
    help = gettext_lazy("Print a new API token for an active user.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="", help=gettext_lazy("what the token is for, e.g. the script that uses it")
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=gettext_lazy("how many days the token is valid (default %(days)d, at most %(max)d)")
            % {"days": settings.JINGKAI_API_TOKEN_DAYS, "max": settings.JINGKAI_API_TOKEN_MAX_DAYS},
        )

    def handle(self, *args, username, name, days=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user %(username)s is not active.") % {"username": username})
        ceiling = settings.JINGKAI_API_TOKEN_MAX_DAYS
        if days is not None and not 1 <= days <= ceiling:
            raise CommandError(
                _("--days must be between 1 and %(max)d (JINGKAI_API_TOKEN_MAX_DAYS), not %(days)d.")
                % {"max": ceiling, "days": days}
            )
        token, raw = ApiToken.issue(user, name=name, days=days)
        audit.record(
            audit.Kind.TOKEN_ISSUED, user=user, target=token, summary=f"{token.prefix}… {name}".strip()
        )
        # The token alone on standard output, so scripts can capture it; the advice goes to standard error.
        self.stdout.write(raw)
        self.stderr.write(
            _(
                "Token %(prefix)s… for %(username)s, valid until %(until)s: store it now, it cannot be shown again."
            )
            % {
                "prefix": token.prefix,
                "username": username,
                "until": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
