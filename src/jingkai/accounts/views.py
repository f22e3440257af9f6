"""The identity pages: change the password, verify or enrol the second factor, and the security
administrator's sign-in page (locks and second factors)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingkai.accounts import demo, lockout, policy, qr, services
from jingkai.accounts.forms import EnrolForm, PasswordChangeForm, TokenForm, UnlockForm
from jingkai.core.permissions import require


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return redirect(default).url


@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request.user, form.cleaned_data["new_password1"], request=request)
        messages.success(
            request, _("Your password has been changed. Your other sessions have been signed out.")
        )
        return redirect(_next(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "reason": policy.must_change_password(request.user),
            "expires_at": policy.password_expires_at(request.user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def otp_verify(request):
    if not services.has_otp_device(request.user):
        return redirect("accounts:otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("That code is not correct (or was used already). Try the next one."))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    context = {"form": form, "next": request.GET.get("next", "")}
    if demo.is_demo_device(device):
        context["demo_secret"] = demo.DEMO_TOTP_SECRET
        context["demo_qr"] = qr.svg(device.config_url)
    return render(request, "accounts/otp_verify.html", context)


@never_cache
@login_required
def otp_enrol(request):
    user = request.user
    if services.has_otp_device(user):
        # A second device is added only after a security administrator's reset: a stolen password alone
        # must not be enough to enrol the thief's phone.
        return render(request, "accounts/otp_enrolled.html", {"required": policy.otp_required(user)})
    device = services.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(request, device, form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/otp_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", _("That code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr": qr.svg(device.config_url),
            "secret": services.secret_of(device),
            "required": policy.otp_required(user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def sign_in_admin(request):
    require(
        "accounts.can_manage_sign_in", request.user, _("Only the security administrator manages sign-in.")
    )
    User = get_user_model()
    query = (request.GET.get("q") or "").strip()
    users = User.objects.filter(is_active=True).order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [
        {
            "user": u,
            "enrolled": u.pk in enrolled,
            "required": policy.otp_required(u) or u.role in _otp_roles(),
        }
        for u in users[:200]
    ]
    return render(
        request,
        "accounts/sign_in_admin.html",
        {"locks": lockout.locked_names(), "rows": rows, "q": query},
    )


def _otp_roles():
    return set(settings.JINGKAI_OTP_ROLES)


@require_POST
@login_required
def unlock(request):
    require(
        "accounts.can_manage_sign_in", request.user, _("Only the security administrator manages sign-in.")
    )
    form = UnlockForm(request.POST)
    if form.is_valid() and services.unlock(request.user, form.cleaned_data["username"], request=request):
        messages.success(request, _("%(name)s is unlocked.") % {"name": form.cleaned_data["username"]})
    else:
        messages.warning(request, _("That user name is not locked."))
    return redirect("accounts:sign_in_admin")


@require_POST
@login_required
def otp_reset(request, user_id: int):
    require(
        "accounts.can_manage_sign_in", request.user, _("Only the security administrator manages sign-in.")
    )
    target = get_object_or_404(get_user_model(), pk=user_id)
    removed = services.reset_otp(request.user, target, request=request)
    if removed:
        messages.success(
            request,
            _("The second factor of %(name)s is reset: they enrol again at the next sign-in.")
            % {"name": target},
        )
    else:
        messages.info(request, _("%(name)s had no second factor.") % {"name": target})
    return redirect("accounts:sign_in_admin")
