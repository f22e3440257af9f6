"""The signed-in user's notifications: a list, a navbar badge loaded by htmx, and mark-as-read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jingkai.core.scoping import get_visible_or_404
from jingkai.notifications.filtersets import NotificationFilterSet
from jingkai.notifications.models import Notification


@login_required
def notification_list(request):
    mine = Notification.objects.visible_to(request.user)
    show = request.GET.get("show", "unread")
    if show not in ("unread", "all"):
        show = "unread"
    rows = NotificationFilterSet({"unread_only": show == "unread"}, mine).qs
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "show": show, "unread_count": mine.unread().count()},
    )


@login_required
def badge(request):
    """A fragment for the navbar, fetched after the page loads so that pages keep their query counts."""
    count = Notification.objects.visible_to(request.user).unread().count()
    return render(request, "notifications/_badge.html", {"count": count})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_visible_or_404(Notification.objects.all(), request.user, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = request.POST.get("next") or notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return redirect("notifications:list")
