"""The home page: the figure cards that the apps declare (HomeCard, core.contributions), for the signed-in user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jingkai.core import permissions
from jingkai.core.contributions import HomeCard, declared
from jingkai.core.models import Role
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import latest_scale_year_of


@login_required
def home(request):
    user = request.user
    if user.role == Role.ENTERPRISE and not user.is_zone_admin:
        # An enterprise contact has one thing to look at: their own enterprise.
        own = Enterprise.objects.visible_to(user).values_list("pk", flat=True).first()
        if own is not None:
            return redirect("enterprises:detail", pk=own)
        return render(request, "shell/home.html", {"no_enterprise": True})
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
            "year": latest_scale_year_of(request),
            "cards": [c for c in cards if c["card"].area == "cards"],
            "wide": [c for c in cards if c["card"].area == "wide"],
            # ECharts (1 MB) is loaded only when a shown card draws a chart.
            "draws_charts": any(c["card"].draws_charts for c in cards),
        },
    )
