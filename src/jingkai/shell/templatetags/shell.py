"""The navigation bar: the entries every app declares (NavEntry, core.contributions) that the user may follow."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
            "group": entry.group,
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


# The menus of the bar: the sections grouped by area of work, so that the zone administrator's dozen sections
# fit one line from 1280 px (issue 11 §4). A group holding one link for this user is shown as that link.
GROUP_LABELS = {
    "registry": _("Enterprises and grids"),
    "service": _("Enterprise services"),
    "economy": _("Economy and investment"),
}


@register.simple_tag(takes_context=True)
def nav_menu(context):
    """The main area as the bar shows it: links and menus ({"label", "items", "active"}), in order of their
    first entry."""
    out: list[dict] = []
    groups: dict[str, dict] = {}
    for item in nav_items(context, "main"):
        key = item["group"]
        if not key:
            out.append({"link": item})
            continue
        if key not in groups:
            groups[key] = {"label": GROUP_LABELS.get(key, key), "items": [], "active": False, "key": key}
            out.append({"menu": groups[key]})
        groups[key]["items"].append(item)
        groups[key]["active"] = groups[key]["active"] or item["active"]
    return [
        {"link": entry["menu"]["items"][0]} if "menu" in entry and len(entry["menu"]["items"]) == 1 else entry
        for entry in out
    ]
