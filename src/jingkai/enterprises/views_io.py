"""Excel export of the enterprise directory. Its import pages are the kernel's (core/import_views.py, routed
with importers.EnterpriseImporter in urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.core.xlsx import audited_download
from jingkai.enterprises import exports
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.models import Enterprise


@login_required
@require_GET
def export_xlsx(request):
    """The enterprises of the list page, with the same filters, in the import format."""
    filterset = EnterpriseFilterSet(request.GET, queryset=Enterprise.objects.visible_to(request.user))
    if not filterset.is_valid():
        # An ignored filter would export more than the page shows: refuse instead.
        problems = "; ".join(f"{key}: {' '.join(errors)}" for key, errors in filterset.errors.items())
        return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})
    return audited_download(request, exports.enterprise_directory(filterset.qs, request.user))
