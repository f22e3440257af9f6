"""The security administrator's anonymisation of a departed contact (docs/security.md §4): find it by name or
exact phone, confirm with a reason. Only `core.is_security_admin`; the contact is named by its enterprise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jingkai.core import personal
from jingkai.core.permissions import require
from jingkai.enterprises import anonymise
from jingkai.enterprises.models import Contact

MAX_FOUND = 50


def _require(request) -> None:
    require("core.is_security_admin", request.user, _("Only a security administrator anonymises contacts."))


@never_cache
@login_required
def search(request):
    _require(request)
    q = " ".join(request.GET.get("q", "").split())[:50]
    found = []
    if q:
        contacts = Contact.objects.select_related("enterprise")
        by_name = contacts.filter(name=q)
        by_phone = personal.matching(contacts, "phone", q) if personal.normalise(q) else contacts.none()
        found = list(
            (by_name | by_phone).exclude(name=anonymise.ANONYMOUS_NAME).order_by("enterprise_id", "pk")
        )
        found = found[:MAX_FOUND]
    return render(request, "enterprises/anonymise_search.html", {"q": q, "found": found})


@never_cache
@login_required
def confirm(request, pk: int):
    _require(request)
    contact = get_object_or_404(Contact.objects.select_related("enterprise"), pk=pk)
    error = ""
    if request.method == "POST":
        reason = " ".join(request.POST.get("reason", "").split())[:200]
        if len(reason) < 4:
            error = _("Say why the contact is anonymised (at least 4 characters).")
        elif contact.name == anonymise.ANONYMOUS_NAME:
            error = _("This contact is already anonymised.")
        else:
            anonymise.anonymise_contact(contact, request=request, reason=reason)
            messages.success(request, _("The contact was anonymised."))
            return redirect("enterprises:anonymise_search")
    return render(
        request,
        "enterprises/anonymise_confirm.html",
        {"contact": contact, "error": error},
        status=400 if error else 200,
    )
