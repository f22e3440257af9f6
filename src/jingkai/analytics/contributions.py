"""What the analytics app adds elsewhere: its menu entry, the profile's statistics panel, the rollups' refresh
after a statistics import and after registry edits that move enterprises (each through
services.schedule_refresh), and its demo chapter (the rollups of the demo's statistics)."""

from django.utils.translation import gettext_lazy as _

from jingkai.analytics import demo, services
from jingkai.chains.placement import DIGITAL_FLAG_CHANGED, MEMBERSHIP_CHANGED
from jingkai.core.contributions import DemoChapter, Listener, NavEntry, Panel
from jingkai.enterprises.placement import PLACEMENT_CHANGED, SCALE_CHANGED
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
    Listener(PERIODS_CHANGED, services.on_periods_changed),
    Listener(PLACEMENT_CHANGED, services.on_placement_changed),
    Listener(SCALE_CHANGED, services.on_scale_changed),
    Listener(MEMBERSHIP_CHANGED, services.on_membership_changed),
    Listener(DIGITAL_FLAG_CHANGED, services.on_digital_flag_changed),
    DemoChapter(demo.load, scale=demo.scale, after=("stats",)),
]
