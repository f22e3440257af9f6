"""The navigation bar: the entries every app declares (NavEntry, core.contributions) that the user may follow."""

from __future__ import annotations

from django import template
from django.urls import reverse

from jingkai.core import permissions
from jingkai.core.contributions import NavEntry, declared

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context, area: str = "main"):
    """The links of one area of the navbar the signed-in user may follow; in "main" the longest one matching
    the path is active."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = [
        {
            "url": reverse(entry.url_name),
            "label": entry.label,
            "active": False,
            "badge_url": reverse(entry.badge_url_name) if entry.badge_url_name else None,
        }
        for entry in declared(NavEntry)
        if entry.area == area and permissions.allows(entry.permission, user)
    ]
    if area == "main":
        # /grids/communities/ lies under /grids/ too: only the most specific section is highlighted.
        matching = [
            i
            for i in items
            if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
        ]
        if matching:
            max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items
