"""What the visits app adds elsewhere: its menu entry, the profile's visit log panel, the grid page's dashboard
button, and its demo chapter."""

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import DemoChapter, NavEntry, Panel
from jingkai.visits import demo, views

CONTRIBUTIONS = [
    NavEntry("visits:list", _("Visits and campaigns"), permission="visits.can_view_visits", order=100),
    Panel("enterprise.aside", "visits", order=10, render=views.profile_panel),
    Panel("grid.actions", "grid-dashboard", order=10, render=views.grid_dashboard_link),
    DemoChapter(demo.load),
]
