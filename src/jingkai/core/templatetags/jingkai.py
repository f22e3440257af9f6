"""Template helpers shared by every page: money as officials write it, permission checks by name, and the
slots where other apps' panels appear."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from jingkai.core import permissions
from jingkai.core.contributions import Panel, declared
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


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def can(context, name: str, *args) -> bool:
    """{% can "investment.is_investment_staff" as allowed %}: a registered predicate (core.permissions) for the
    signed-in user, with any further arguments (e.g. the object)."""
    user = _user(context)
    return bool(user is not None and user.is_authenticated and permissions.allows(name, user, *args))


@register.simple_tag(takes_context=True)
def show_admin_link(context) -> bool:
    return can(context, "core.can_use_admin_site")


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj):
    """{% slot "enterprise.main" enterprise %}: the panels other apps declare for this slot (Panel, in
    core.contributions), in their order, each as its app renders it; nothing for a signed-out user."""
    user = _user(context)
    if user is None or not user.is_authenticated:
        return ""
    parts = []
    for panel in declared(Panel):
        if panel.slot != name or not permissions.allows(panel.permission, user):
            continue
        if panel.render is not None:
            parts.append(panel.render(context, obj))
        else:
            parts.append(
                format_html(
                    '<div hx-get="{}" hx-trigger="load" hx-swap="outerHTML" data-panel="{}"></div>',
                    reverse(panel.url_name, args=[obj.pk]),
                    panel.name,
                )
            )
    return mark_safe("\n".join(str(p) for p in parts))


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes, rounded up (a lock-out of 14.5 minutes is read as 15)."""
    seconds = delta.total_seconds()
    return int(-(-seconds // 60))


@register.inclusion_tag("includes/personal_value.html", takes_context=True)
def personal(context, obj, field: str):
    """{% personal contact "phone" %}: personal data as this user may see it (docs/security.md §4): masked, with a
    "show in full" form (a reason, POSTed to core's reveal, audited) for those allowed; unmasked for its owner."""
    from django.conf import settings
    from django.urls import reverse

    from jingkai.core import reveal

    user = _user(context)
    value = getattr(obj, field, "") or ""
    data = {"value": "", "reveal_url": "", "csrf_token": context.get("csrf_token"), "dom_id": ""}
    if not value or user is None or not user.is_authenticated:
        return data
    label = obj._meta.label_lower
    data["dom_id"] = f"pii-{label.replace('.', '-')}-{obj.pk}-{field}"
    data["value"] = reveal.shown(user, obj, field)
    if data["value"] != value and reveal.may_reveal(user, obj):
        data["reveal_url"] = reverse("personal_reveal", args=[label, obj.pk, field])
        data["min_chars"] = settings.JINGKAI_PII_REASON_MIN_CHARS
    return data


@register.filter
def masked(value, kind="phone"):
    """{{ value|masked }}: personal data masked (138****5678) where no reveal is offered."""
    from jingkai.core import personal as pii

    return pii.mask(value, kind)
