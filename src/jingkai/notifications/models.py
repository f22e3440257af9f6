"""In-app notifications, shared by every app that must tell someone something (demand escalations,
investment reminders, campaign reminders).

A notification is identified by its `key`: producing the same key twice stores it once, which is what
makes sweeps and reminder runs idempotent ("running it twice sends nothing twice").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingkai.core import personal
from jingkai.core.scoping import ScopedQuerySet, scope_of


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Everyone sees only their own notifications, zone administrators included."""
        scope = scope_of(user)
        return self.none() if scope.nothing else self.filter(recipient=scope.user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # What produced it, e.g. "demand.escalated", "investment.no_contact"; free text, used for filtering.
    kind = models.CharField(_("kind"), max_length=60)
    key = models.CharField(_("key"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-id"], name="notif_recipient_unread"),
            models.Index(fields=["emailed_at", "id"], name="notif_unemailed"),
        ]

    def __str__(self) -> str:
        return self.title


personal.classify(
    Notification, "emailed_at", personal=False, reason="when the e-mail went out, not an address"
)
