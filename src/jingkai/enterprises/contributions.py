"""What the enterprises app adds elsewhere: the menu entries of the registry's pages (enterprises, and the grid,
community and coverage pages it serves under /grids/), the home page's figure cards and grid chart, and its
to-do lines (certificates expiring, coverage gaps)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.contributions import HomeCard, NavEntry, TodoItem
from jingkai.core.memo import per_request
from jingkai.core.models import Role
from jingkai.enterprises import queries
from jingkai.enterprises.filtersets import expiring_honours
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.grids.models import Community, Grid

CARD = "includes/figure_card.html"


def _year(request):
    return queries.latest_scale_year_of(request)


def _grid_count(request) -> int:
    return per_request(request, "grids.visible_count", lambda: Grid.objects.visible_to(request.user).count())


def _enterprises_card(request) -> dict:
    return {
        "url": reverse("enterprises:list"),
        "label": _("Enterprises"),
        "value": Enterprise.objects.visible_to(request.user).count(),
        "figure": "enterprises",
    }


def _above_card(request) -> dict:
    year = _year(request)
    url = reverse("enterprises:list") + "?scale=above" + (f"&year={year}" if year else "")
    label = _("Above designated size") + (f" · {year}" if year else "")
    return {
        "url": url,
        "label": label,
        "value": queries.above_size_count(request.user, year),
        "figure": "above",
    }


def _high_tech_card(request) -> dict:
    on = queries.reference_date(_year(request))
    return {
        "url": reverse("enterprises:list") + "?honour=high_tech",
        "label": _("High-tech enterprises valid on %(date)s") % {"date": on.isoformat()},
        "value": queries.high_tech_count(request.user, on),
        "figure": "high_tech",
    }


def _grids_card(request) -> dict | None:
    count = _grid_count(request)
    if not count:
        return None
    return {"url": reverse("grids:list"), "label": _("Grids"), "value": count, "figure": "grids"}


def _communities_card(request) -> dict | None:
    count = Community.objects.visible_to(request.user).count()
    if not count:
        return None
    return {
        "url": reverse("grids:community_list"),
        "label": _("Communities"),
        "value": count,
        "figure": "communities",
    }


def _gap_count(request) -> int:
    """The zone's coverage gaps, counted once per request (the figure card and the to-do line)."""
    from jingkai.enterprises.coverage import find_gaps

    return per_request(request, "enterprises.gap_count", lambda: len(find_gaps()))


def _gaps_card(request) -> dict:
    count = _gap_count(request)
    return {
        "url": reverse("grids:coverage"),
        "label": _("Coverage gaps"),
        "value": count,
        "figure": "gaps",
        "warn": bool(count),
    }


def _grid_chart(request) -> dict | None:
    """Above-size enterprises per grid, when the user sees more than one grid."""
    year = _year(request)
    if _grid_count(request) <= 1 or year is None:
        return None
    user = request.user
    above = AnnualScale.objects.visible_to(user).filter(year=year, above_size=True)
    rows = Grid.objects.visible_to(user).annotate(above=queries.count_subquery(above, "enterprise__grid"))
    return {"year": year, "rows": list(rows.values("name", "above"))}


EXPIRING_DAYS = 90  # certificates expiring within this many days are on the to-do list
AREA = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER)


def _expiring_count(request) -> int:
    """The user's enterprises holding a certificate that expires within EXPIRING_DAYS (as the list counts)."""
    honours = expiring_honours(timezone.localdate(), EXPIRING_DAYS)
    return Enterprise.objects.visible_to(request.user).filter(pk__in=honours.values("enterprise_id")).count()


TODO = [
    TodoItem(
        "honours_expiring",
        gettext_lazy("Enterprises with a certificate expiring within 90 days"),
        _expiring_count,
        lambda request: reverse("enterprises:list") + "?" + urlencode({"honour_expiring": EXPIRING_DAYS}),
        roles=AREA,
        order=40,
    ),
    TodoItem(
        "coverage_gaps",
        gettext_lazy("Coverage gaps"),
        _gap_count,
        lambda request: reverse("grids:coverage"),
        roles=(Role.ZONE_ADMIN,),
        order=20,
    ),
]

CONTRIBUTIONS = [
    NavEntry("enterprises:list", gettext_lazy("Enterprises"), order=20, group="registry"),
    NavEntry(
        "grids:list", gettext_lazy("Grids"), permission="grids.can_view_grids", order=30, group="registry"
    ),
    NavEntry(
        "grids:community_list",
        gettext_lazy("Communities"),
        permission="grids.can_view_communities",
        order=40,
        group="registry",
    ),
    NavEntry(
        "grids:coverage",
        gettext_lazy("Coverage check"),
        permission="core.is_zone_admin",
        order=50,
        group="registry",
    ),
    HomeCard("enterprises", CARD, _enterprises_card, order=10),
    HomeCard("above", CARD, _above_card, order=20),
    HomeCard("high_tech", CARD, _high_tech_card, order=30),
    HomeCard("grids", CARD, _grids_card, order=40),
    HomeCard("communities", CARD, _communities_card, order=50),
    HomeCard("gaps", CARD, _gaps_card, order=60, permission="core.is_zone_admin"),
    HomeCard(
        "grid_chart",
        "enterprises/_home_grid_chart.html",
        _grid_chart,
        order=200,
        area="wide",
        draws_charts=True,
    ),
    *TODO,
]
