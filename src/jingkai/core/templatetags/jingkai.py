"""Template helpers shared by every page: money as officials write it, and the role-aware navigation."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingkai.core.admin import can_use_admin_site
from jingkai.core.models import Role
from jingkai.core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency="CNY"):
    """{{ e.registered_capital|money:e.registered_capital_currency }} → 1.14亿美元 (unit chosen by size)."""
    return format_money(amount, currency or "CNY")


@register.filter
def money_wan(amount, currency="CNY"):
    """Always in 万, as registers of capital and investment are kept: 11370万美元, not 1.14亿美元."""
    return format_money(amount, currency or "CNY", unit="万")


def _is_grid_role(user) -> bool:
    return user.role in (Role.GRID_LEADER, Role.GRID_OFFICER)


# (url name, label, who sees it). Who-sees-what is decided here, in Python, not in the template.
NAV = [
    ("home", _("Home"), lambda u: True),
    ("enterprises:list", _("Enterprises"), lambda u: True),
    ("grids:list", _("Grids"), lambda u: u.is_zone_admin or _is_grid_role(u)),
    ("grids:community_list", _("Communities"), lambda u: u.is_zone_admin or u.role == Role.COMMUNITY_OFFICER),
    ("grids:coverage", _("Coverage check"), lambda u: u.is_zone_admin),
    ("chains:list", _("Industry chains"), lambda u: u.is_staff_role),
    ("demands:list", _("Demands"), lambda u: True),
    ("stats:import", _("Statistics import"), lambda u: u.is_zone_admin),
    (
        "analytics:overview",
        _("Economic operation"),
        lambda u: u.is_zone_admin or _is_grid_role(u) or u.role == Role.DEPARTMENT,
    ),
    ("visits:list", _("Visits and campaigns"), lambda u: u.role != Role.DEPARTMENT or u.is_zone_admin),
    ("investment:list", _("Investment projects"), lambda u: _may_use_investment(u)),
]


@register.simple_tag(takes_context=True)
def nav_items(context):
    """The navbar links the signed-in user may follow; the longest one matching the path is active."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = [
        {"url": reverse(name), "label": label, "active": False}
        for name, label, allowed in NAV
        if allowed(user)
    ]
    # /grids/communities/ lies under /grids/ too: only the most specific section is highlighted.
    matching = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items


@register.simple_tag(takes_context=True)
def show_admin_link(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and can_use_admin_site(user))


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes, rounded up (a lock-out of 14.5 minutes is read as 15)."""
    seconds = delta.total_seconds()
    return int(-(-seconds // 60))


def _may_use_investment(user) -> bool:
    from jingkai.investment.views import may_use

    return may_use(user)
