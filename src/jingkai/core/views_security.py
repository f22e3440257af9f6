"""The security administrator's roles page (三员: roles are theirs; the system administrator creates
accounts with an ordinary role only). Everyone else gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jingkai.core import accounts
from jingkai.core.filtersets import UserRoleFilterSet
from jingkai.core.forms import RoleForm
from jingkai.core.models import User
from jingkai.core.permissions import require

PAGE_SIZE = 50


def _require(request) -> None:
    require("core.is_security_admin", request.user, _("Roles are the security administrator's."))


@login_required
def roles(request):
    _require(request)
    filterset = UserRoleFilterSet(request.GET or None, User.objects.order_by("username"))
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else User.objects.order_by("username")
    page = Paginator(rows.select_related("department"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "security/roles.html", {"form": filterset.form, "page": page})


@login_required
def role(request, pk: int):
    _require(request)
    user = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST or None, initial={"role": user.role})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.change_role(user, form.cleaned_data["role"], actor=request.user, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Role changed."))
            return redirect("security:roles")
    return render(request, "security/role.html", {"form": form, "subject": user})
