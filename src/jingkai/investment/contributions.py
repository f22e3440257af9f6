"""What the investment app adds elsewhere: its menu entry, the home card of the year's figures, the profile's
projects panel, the reminder sweep, the enterprises 招商 staff may open, the home page's to-do lines (projects
without contact, milestones due, the month's arrivals against the year's target), and its demo chapter."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.contributions import (
    DemoChapter,
    EnterpriseReach,
    HomeCard,
    NavEntry,
    Panel,
    Sweeper,
    TodoItem,
)
from jingkai.core.memo import per_request
from jingkai.core.models import Role
from jingkai.core.money import format_money
from jingkai.investment import demo, sweep
from jingkai.investment.choices import ArrivalKind, Figure
from jingkai.investment.filtersets import with_milestone_due, without_contact
from jingkai.investment.models import ARRIVAL_CURRENCY, Arrival, Project, ReminderSettings, Target


def _ledger_enterprises(scope) -> Q:
    """招商 staff see the enterprises that their ledger's projects create or expand."""
    from jingkai.investment.models import Project

    if scope.handles_investment:
        return Q(pk__in=Project.objects.filter(enterprise__isnull=False).values("enterprise_id"))
    return Q(pk__in=[])


NO_CONTACT_DAYS = 30  # the home page's "without contact" line (said on the page)
STAFF = (Role.DEPARTMENT,)  # 招商 staff are department handlers (permission: investment.is_investment_staff)


def _list_url(**params) -> str:
    return reverse("investment:list") + "?" + urlencode(params)


def _milestone_days(request) -> int:
    return per_request(
        request, "investment.milestone_days", lambda: ReminderSettings.current().milestone_days
    )


def _quiet_count(request) -> int:
    projects = Project.objects.visible_to(request.user)
    return without_contact(projects, timezone.localdate(), NO_CONTACT_DAYS).count()


def _milestone_count(request) -> int:
    projects = Project.objects.visible_to(request.user)
    return with_milestone_due(projects, timezone.localdate(), _milestone_days(request)).count()


ARRIVED = {ArrivalKind.FOREIGN: Figure.FOREIGN_ARRIVED, ArrivalKind.DOMESTIC: Figure.DOMESTIC_ARRIVED}


def _arrivals(request) -> dict:
    """The month's and the year's arrivals of the user's projects, by kind, and the year's targets: two queries."""

    def compute():
        today = timezone.localdate()
        month = Q(on__month=today.month)
        sums = {"count": Count("pk", filter=month)}
        for kind in ARRIVED:
            sums[f"{kind}_month"] = Sum("amount", filter=month & Q(kind=kind))
            sums[f"{kind}_year"] = Sum("amount", filter=Q(kind=kind))
        figures = Arrival.objects.visible_to(request.user).filter(on__year=today.year).aggregate(**sums)
        targets = dict(
            Target.objects.filter(year=today.year, figure__in=list(ARRIVED.values())).values_list(
                "figure", "value"
            )
        )
        return {"today": today, "figures": figures, "targets": targets}

    return per_request(request, "investment.arrivals", compute)


def _arrivals_note(request) -> str:
    data = _arrivals(request)
    parts = []
    for kind, figure in ARRIVED.items():
        currency = ARRIVAL_CURRENCY[kind]

        def money(value, currency=currency):
            return format_money(value or Decimal(0), currency, unit="亿", places=2)

        target = data["targets"].get(figure.value)
        year = data["figures"][f"{kind}_year"] or Decimal(0)
        parts.append(
            _("%(figure)s: %(month)s this month, %(year)s this year of a target of %(target)s%(percent)s")
            % {
                "figure": Figure(figure).label,
                "month": money(data["figures"][f"{kind}_month"]),
                "year": money(year),
                "target": money(target) if target is not None else "—",
                "percent": f"（{float(year) / float(target) * 100:.1f}%）" if target else "",
            }
        )
    return "；".join(parts)


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
        group="economy",
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
    TodoItem(
        "projects_without_contact",
        gettext_lazy("Projects without contact for 30 days or more"),
        _quiet_count,
        lambda request: _list_url(quiet=NO_CONTACT_DAYS),
        permission="investment.is_investment_staff",
        roles=STAFF,
        order=50,
    ),
    TodoItem(
        "milestones_due",
        gettext_lazy("Projects with a milestone due or overdue"),
        _milestone_count,
        lambda request: _list_url(milestone_due=_milestone_days(request)),
        permission="investment.is_investment_staff",
        roles=STAFF,
        order=51,
        note=lambda request: (
            _("Planned within %(days)d days, or overdue, and not yet reached")
            % {"days": _milestone_days(request)}
        ),
    ),
    TodoItem(
        "arrivals_this_month",
        gettext_lazy("Capital arrivals recorded this month"),
        lambda request: _arrivals(request)["figures"]["count"],
        lambda request: (
            reverse("investment:figures") + "?" + urlencode({"year": _arrivals(request)["today"].year})
        ),
        permission="investment.is_investment_staff",
        roles=STAFF,
        order=52,
        note=_arrivals_note,
    ),
    DemoChapter(demo.load, after=("stats",)),
]
