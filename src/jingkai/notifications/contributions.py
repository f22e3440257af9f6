"""What the notifications app adds elsewhere: the navbar link with its unread badge, and the sweep's e-mails."""

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import NavEntry, Sweeper
from jingkai.notifications import sweep

CONTRIBUTIONS = [
    NavEntry(
        "notifications:list",
        _("Notifications"),
        area="tools",
        order=30,
        badge_url_name="notifications:badge",
    ),
    # Last, so that it e-mails what every other sweeper produced in the same run.
    Sweeper(sweep.run, order=1000, name="emails"),
]
