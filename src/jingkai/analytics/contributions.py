"""What the analytics app adds elsewhere: its menu entry, the profile's statistics panel, the rollups' refresh
after a statistics import, and its demo chapter (the rollups of the demo's statistics)."""

from django.utils.translation import gettext_lazy as _

from jingkai.analytics import demo, engine
from jingkai.core.contributions import DemoChapter, Listener, NavEntry, Panel
from jingkai.stats.services import PERIODS_CHANGED

CONTRIBUTIONS = [
    NavEntry(
        "analytics:overview",
        _("Economic operation"),
        permission="analytics.can_view_economy",
        order=90,
        group="economy",
    ),
    Panel("enterprise.main", "enterprise-stats", order=10, url_name="analytics:enterprise_panel"),
    Listener(PERIODS_CHANGED, engine.refresh),
    DemoChapter(demo.load, scale=demo.scale, after=("stats",)),
]
