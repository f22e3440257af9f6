"""The home page: the day's to-do list (TodoItem) and the figure cards (HomeCard) that the apps declare
(core.contributions), for the signed-in user. The kernel's own lines (imports left at the preview, calendar years
not loaded) are the shell's, below: the kernel never names an app, and an app does not own the kernel's rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jingkai.core import permissions
from jingkai.core.calendar import uncovered_years
from jingkai.core.contributions import HomeCard, TodoItem, declared
from jingkai.core.memo import per_request
from jingkai.core.models import ImportBatch, Role
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import latest_scale_year_of


def _uncovered(request) -> list[int]:
    # The same check as the calendar warning of every page (core.context_processors.platform).
    today = timezone.localdate()
    return per_request(request, "core.uncovered_years", lambda: uncovered_years([today.year, today.year + 1]))


SHELL_TODO = [
    TodoItem(
        "imports_previewed",
        _("Imports previewed but not committed"),
        lambda request: ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEWED).count(),
        lambda request: (
            reverse("admin:core_importbatch_changelist")
            + "?"
            + urlencode({"status__exact": ImportBatch.Status.PREVIEWED})
        ),
        permission="core.can_use_admin_site",  # the list is the admin site's
        roles=(Role.ZONE_ADMIN,),
        order=40,
    ),
    TodoItem(
        "calendar_years",
        _("Calendar years not loaded"),
        lambda request: len(_uncovered(request)),
        lambda request: reverse("admin:core_holidayoverride_changelist"),
        permission="core.can_use_admin_site",
        roles=(Role.ZONE_ADMIN,),
        order=60,
        note=lambda request: "、".join(str(year) for year in _uncovered(request)) or None,
    ),
]


def _concerns(item: TodoItem, user) -> bool:
    if item.roles:
        role = Role.ZONE_ADMIN if user.is_zone_admin else user.role
        if role not in item.roles:
            return False
    return permissions.allows(item.permission, user)


def todo_items(request) -> list[dict]:
    """The user's to-do lines, in order: each with its count, link, note and sub-lines."""
    items = sorted([*declared(TodoItem), *SHELL_TODO], key=lambda item: item.order)
    lines = []
    for item in items:
        if not _concerns(item, request.user):
            continue
        count = item.count(request)
        if count is None:
            continue
        lines.append(
            {
                "name": item.name,
                "label": item.label,
                "count": count,
                "url": item.url(request),
                "note": item.note(request) if item.note else None,
                "rows": (item.rows(request) if item.rows and count else None) or [],
            }
        )
    return lines


@login_required
def home(request):
    user = request.user
    if user.role == Role.ENTERPRISE and not user.is_zone_admin:
        # An enterprise contact's home: their open demands and the campaigns to answer, and their profile.
        own = Enterprise.objects.visible_to(user).values_list("pk", flat=True).first()
        if own is None:
            return render(request, "shell/home.html", {"no_enterprise": True})
        return render(
            request,
            "shell/home.html",
            {"todo": todo_items(request), "own_enterprise": own, "contact": True},
        )
    todo = todo_items(request)
    cards = []
    for card in declared(HomeCard):
        if not permissions.allows(card.permission, user):
            continue
        context = card.context(request)
        if context is not None:
            cards.append({"card": card, "context": context})
    return render(
        request,
        "shell/home.html",
        {
            "todo": todo,
            "year": latest_scale_year_of(request),
            "cards": [c for c in cards if c["card"].area == "cards"],
            "wide": [c for c in cards if c["card"].area == "wide"],
            # ECharts (1 MB) is loaded only when a shown card draws a chart.
            "draws_charts": any(c["card"].draws_charts for c in cards),
        },
    )
