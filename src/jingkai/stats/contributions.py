"""What the statistics app adds elsewhere: its menu entry and its demo chapter (the monthly reports)."""

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import DemoChapter, NavEntry
from jingkai.stats import demo

CONTRIBUTIONS = [
    NavEntry("stats:import", _("Statistics import"), permission="stats.can_import", order=80),
    DemoChapter(demo.load, scale=demo.scale),
]
