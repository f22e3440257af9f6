"""Industry chain pages: chains with their member counts, and a chain's members by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jingkai.chains.models import Chain, ChainMembership, ChainRole
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises import queries
from jingkai.enterprises.models import Enterprise


@login_required
def chain_list(request):
    user = request.user
    # Counted among the enterprises this user may see, so a count never hints at hidden members.
    members = ChainMembership.objects.filter(enterprise__in=Enterprise.objects.visible_to(user))
    chains = Chain.objects.visible_to(user).annotate(
        members=queries.count_subquery(members, "chain"),
        leaders=queries.count_subquery(members.filter(role=ChainRole.LEADER), "chain"),
        suppliers=queries.count_subquery(members.filter(role=ChainRole.SUPPLIER), "chain"),
    )
    return render(request, "chains/chain_list.html", {"chains": chains})


@login_required
def chain_detail(request, code: str):
    user = request.user
    chain = get_visible_or_404(Chain.objects.all(), user, code=code)
    year = queries.latest_scale_year()
    memberships = queries.with_scale(
        chain.memberships.filter(enterprise__in=Enterprise.objects.visible_to(user))
        .select_related("enterprise", "enterprise__grid", "enterprise__community")
        .order_by("role", "enterprise__name_sort"),
        year,
        enterprise_ref="enterprise_id",
    )
    return render(
        request, "chains/chain_detail.html", {"chain": chain, "memberships": memberships, "year": year}
    )
