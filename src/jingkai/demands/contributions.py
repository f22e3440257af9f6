"""What the demands app adds elsewhere: its menu entry, the profile's demands panel, the escalation sweep, the
enterprises a department may open, and its demo chapter (which links demands to the demo's visits)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import DemoChapter, EnterpriseReach, NavEntry, Panel, Sweeper
from jingkai.demands import demo, sweep, views


def _routed_enterprises(scope) -> Q:
    """Enterprises a department handler may open: those of demands ever routed to their department."""
    from jingkai.demands.models import Demand

    if not scope.department_id:
        return Q(pk__in=[])
    return Q(pk__in=Demand.objects.visible_to(scope.user).values("enterprise_id"))


CONTRIBUTIONS = [
    NavEntry("demands:list", _("Demands"), order=70),
    Panel("enterprise.aside", "demands", order=20, render=views.profile_panel),
    Sweeper(sweep.run, order=10),
    EnterpriseReach(_routed_enterprises),
    DemoChapter(demo.load, after=("visits",)),
]
