"""Home dashboard, sign-in and sign-out, and the health check."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jingkai.core.forms import LoginForm
from jingkai.core.models import Role
from jingkai.enterprises import queries
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.grids.coverage import find_gaps
from jingkai.grids.models import Community, Grid


@login_required
def home(request):
    user = request.user
    if user.role == Role.ENTERPRISE and not user.is_zone_admin:
        # An enterprise contact has one thing to look at: their own enterprise.
        own = Enterprise.objects.visible_to(user).values_list("pk", flat=True).first()
        if own is not None:
            return redirect("enterprises:detail", pk=own)
        return render(request, "home.html", {"no_enterprise": True})

    year = queries.latest_scale_year()
    grids = Grid.objects.visible_to(user)
    context = {
        "year": year,
        "enterprise_count": Enterprise.objects.visible_to(user).count(),
        "above_count": queries.above_size_count(user, year),
        "grid_count": grids.count(),
        "community_count": Community.objects.visible_to(user).count(),
        "honour_date": queries.reference_date(year),
        "high_tech_count": queries.high_tech_count(user, queries.reference_date(year)),
        "gap_count": len(find_gaps()) if user.is_zone_admin else None,
    }
    if context["grid_count"] > 1 and year is not None:
        above = AnnualScale.objects.visible_to(user).filter(year=year, above_size=True)
        context["grid_chart"] = list(
            grids.annotate(above=queries.count_subquery(above, "enterprise__grid")).values("name", "above")
        )
    return render(request, "home.html", context)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    # POST only: a link or an image tag on another site must not be able to sign a user out.
    logout(request)
    return redirect("login")


@never_cache
def healthz(request):
    """For load balancers: "ok" when this process can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means this server should take no traffic
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
