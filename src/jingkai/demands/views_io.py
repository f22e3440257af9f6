"""Excel export of any filtered list of demands. The hotline import's pages are the kernel's
(core/import_views.py, routed with importers.DemandImporter in urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.views.decorators.http import require_GET

from jingkai.core.filtersets import refuse_invalid
from jingkai.core.xlsx import audited_download
from jingkai.demands import exports
from jingkai.demands.filtersets import DemandFilterSet
from jingkai.demands.models import Demand


@login_required
@require_GET
def export_xlsx(request):
    """The demands of the pool with the same filters, scoped to the user."""
    filterset = DemandFilterSet(
        request.GET, Demand.objects.visible_to(request.user), today=timezone.localdate()
    )
    if refused := refuse_invalid(filterset):
        return refused
    return audited_download(request, exports.demand_list(filterset.qs))
