"""What the visits app adds elsewhere: its menu entry, the profile's visit log panel, the grid page's dashboard
button, the home page's to-do line (enterprises not yet visited in their period), and its demo chapter."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import DemoChapter, NavEntry, Panel, TodoItem
from jingkai.core.memo import per_request
from jingkai.core.models import Role
from jingkai.enterprises.models import Enterprise
from jingkai.visits import cadence, demo, views


def _duty(request) -> cadence.Obligations:
    # Today as the linked page's default day (visits.views._day).
    enterprises = Enterprise.objects.visible_to(request.user)
    return per_request(request, "visits.duty", lambda: cadence.obligations(enterprises, timezone.localdate()))


def _periods_note(request) -> str | None:
    periods = {period.label: None for period in _duty(request).periods.values()}
    return "、".join(periods) or None


CONTRIBUTIONS = [
    NavEntry(
        "visits:list",
        _("Visits and campaigns"),
        permission="visits.can_view_visits",
        order=100,
        group="service",
    ),
    Panel("enterprise.actions", "visits", order=10, render=views.profile_actions),
    Panel("enterprise.aside", "visits", order=10, render=views.profile_panel),
    Panel("grid.actions", "grid-dashboard", order=10, render=views.grid_dashboard_link),
    TodoItem(
        "not_visited",
        _("Enterprises due a visit, not yet visited"),
        lambda request: _duty(request).not_visited.count(),
        lambda request: reverse("visits:not_visited"),
        permission="visits.can_follow_cadence",
        roles=(Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER),
        order=10,
        note=_periods_note,
    ),
    DemoChapter(demo.load),
]
