"""What the chains app adds elsewhere: its menu entry, the profile's "industry chains" card, the chain rows of
the profile's change log, and what the enterprise list's `chain` filter means."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingkai.chains.models import Chain, ChainMembership
from jingkai.core import bounds
from jingkai.core.contributions import HistorySource, ListFilter, NavEntry, Panel, render_in
from jingkai.enterprises.models import Enterprise


def _profile_panel(context, enterprise) -> str:
    memberships = enterprise.chain_memberships.select_related("chain")
    return render_in(context, "chains/_enterprise_panel.html", {"memberships": memberships})


def _chain_choices(user) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Chain.objects.visible_to(user)]


def _in_chain(queryset, value: str):
    """Enterprises that are members of the chain given by code, name or id."""
    value = value.strip()
    cond = Q(code__iexact=value) | Q(name=value)
    if (pk := bounds.as_id(value)) is not None:
        cond |= Q(pk=pk)
    chains = Chain.objects.filter(cond).values("pk")
    return queryset.filter(pk__in=Enterprise.objects.filter(chain_memberships__chain__in=chains).values("pk"))


CONTRIBUTIONS = [
    NavEntry(
        "chains:list", _("Industry chains"), permission="chains.can_view_chains", order=60, group="registry"
    ),
    Panel("enterprise.aside-lower", "chains", order=10, render=_profile_panel),
    HistorySource(
        "chains.ChainMembership",
        lambda r, names: names.get((ChainMembership, "chain", r.chain_id), ""),
        names_for=("chain",),
    ),
    ListFilter("enterprises", "chain", choices=_chain_choices, apply=_in_chain),
]
