"""What the statistics app adds elsewhere: its menu entry, the home page's to-do line (the last complete month's
statistics not yet imported), the 规上 roll's derivation and notifications, and its demo chapter."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.contributions import DemoChapter, Listener, NavEntry, Panel, TodoItem
from jingkai.core.dates import add_months
from jingkai.core.models import Role
from jingkai.enterprises.roll import ROLL_COMMITTED
from jingkai.stats import demo, roll, views
from jingkai.stats.models import MonthlyReport


def last_complete_month(today: dt.date) -> dt.date:
    """The first day of the month before today's (the month whose statistics are due)."""
    return add_months(today, -1)


def _months_missing(request) -> int:
    """1 while the last complete month has no MonthlyReport row (its statistics are not delivered), else 0."""
    month = last_complete_month(timezone.localdate())
    return 0 if MonthlyReport.objects.filter(period=month).exists() else 1


CONTRIBUTIONS = [
    NavEntry(
        "stats:import",
        gettext_lazy("Statistics import"),
        permission="stats.can_import",
        order=80,
        group="economy",
    ),
    TodoItem(
        "stats_missing",
        gettext_lazy("Monthly statistics not yet imported"),
        _months_missing,
        lambda request: reverse("stats:import"),
        permission="stats.can_import",
        roles=(Role.ZONE_ADMIN,),
        order=50,
        note=lambda request: (
            _("Statistics month: %(month)s")
            % {"month": last_complete_month(timezone.localdate()).strftime("%Y-%m")}
        ),
    ),
    # The yearly 规上 roll (enterprises.roll): its derivation from December's statistics on the roll page, and
    # the grid leaders told of the enterprises entering or leaving their grids.
    Panel(
        "scale_roll.sources",
        "stats",
        render=views.scale_roll_panel,
        permission="enterprises.can_run_scale_roll",
    ),
    Listener(ROLL_COMMITTED, roll.notify_grid_leaders),
    DemoChapter(demo.load, scale=demo.scale),
]
