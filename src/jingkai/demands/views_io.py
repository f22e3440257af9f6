"""Excel export of any filtered list of demands. The hotline import's pages are the kernel's
(core/import_views.py, routed with importers.DemandImporter in urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.demands import exports, queries
from jingkai.demands.models import Demand


@login_required
@require_GET
def export_xlsx(request):
    """The demands of the pool with the same filters, scoped to the user."""
    demands, errors = queries.apply_filters(
        Demand.objects.visible_to(request.user), request.GET, timezone.localdate()
    )
    if errors:
        problems = "; ".join(f"{key}: {' '.join(v)}" for key, v in errors.items())
        return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})
    return exports.demand_list(demands)
