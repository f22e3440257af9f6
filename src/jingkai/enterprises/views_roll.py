"""The year's 规上 roll page (issue 11 §6): the years on record, and the sources a roll is made from.

The 规上名录 import is this app's (importers_roll.ScaleRollImporter, on the kernel's upload → preview → commit
pages); other sources are panels other apps put in the slot "scale_roll.sources" (the derivation from the
monthly statistics lives in stats, which enterprises may not read).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.core.permissions import require
from jingkai.enterprises import roll


@login_required
@require_GET
def scale_roll(request):
    require(
        "enterprises.can_run_scale_roll",
        request.user,
        _("Only a zone administrator may update the 规上 roll."),
    )
    return render(
        request,
        "enterprises/scale_roll.html",
        {"years": roll.year_counts(), "default_year": roll.default_year()},
    )
