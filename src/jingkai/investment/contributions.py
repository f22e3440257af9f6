"""What the investment app adds elsewhere: its menu entry, the home card of the year's figures, the profile's
projects panel, the reminder sweep, the enterprises 招商 staff may open, and its demo chapter."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.contributions import DemoChapter, EnterpriseReach, HomeCard, NavEntry, Panel, Sweeper
from jingkai.investment import demo, sweep


def _ledger_enterprises(scope) -> Q:
    """招商 staff see the enterprises that their ledger's projects create or expand."""
    from jingkai.investment.models import Project

    if scope.handles_investment:
        return Q(pk__in=Project.objects.filter(enterprise__isnull=False).values("enterprise_id"))
    return Q(pk__in=[])


def _figures_card(request) -> dict:
    return {
        "url": reverse("investment:figures"),
        "label": _("Investment projects"),
        "text": _("Figures of the year"),
        "data_card": "investment",
    }


CONTRIBUTIONS = [
    NavEntry(
        "investment:list",
        gettext_lazy("Investment projects"),
        permission="investment.can_use_ledger",
        order=110,
    ),
    HomeCard(
        "investment",
        "includes/figure_card.html",
        _figures_card,
        order=70,
        permission="investment.is_investment_staff",
    ),
    Panel("enterprise.main", "investment", order=20, url_name="investment:enterprise_panel"),
    Sweeper(sweep.run, order=30),
    EnterpriseReach(_ledger_enterprises),
    DemoChapter(demo.load, after=("stats",)),
]
