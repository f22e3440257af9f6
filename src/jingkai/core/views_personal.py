"""The reveal of one personal-data field (docs/security.md §4): a POST with a reason, audited.

htmx swaps the answer in place of the masked value (`includes/personal_revealed.html`); without htmx the same
answer is a small page with a link back.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingkai.core import personal
from jingkai.core.reveal import reveal as reveal_one


@never_cache
@login_required
@require_POST
def reveal(request, label: str, pk: int, field: str):
    try:
        obj, value = reveal_one(request, label, pk, field, request.POST.get("reason", ""))
    except ValidationError as exc:
        context = {
            "errors": exc.message_dict.get("reason", exc.messages),
            "label": label,
            "pk": pk,
            "field": field,
        }
        return render(request, "includes/personal_refused.html", context, status=400)
    kind = obj._meta.get_field(field).kind
    context = {
        "value": value,
        "kind": kind,
        "obj": obj,
        "tel": personal.normalise(value) if kind == personal.PHONE else "",
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "includes/personal_revealed.html", context)
    back = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context["back"] = back if safe else ""
    return render(request, "includes/personal_revealed_page.html", context)
