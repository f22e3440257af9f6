"""Campaign reminders: remind whoever has not answered an open campaign, in a fixed number of queries.

For every open campaign between its opening and closing day, each target without a response gets:
  - one notification to each contact of the enterprise with a portal account;
  - one notification per grid officer in office for the grid the target was asked in, summing up how
    many of the grid's enterprises have not answered.
Reminders go out in rounds of REMIND_EVERY_DAYS days counted from the opening day; the round is part of
each key, so running the sweep twice in a round notifies nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.campaigns.models import CampaignStatus, CampaignTarget
from jingkai.enterprises.models import Contact
from jingkai.grids.models import AssignmentRole, GridAssignment, active_q
from jingkai.notifications.services import NotificationSpec, notify

REMIND_EVERY_DAYS = 3
KIND = "campaign.reminder"


def _round(opens_on: dt.date, today: dt.date) -> int:
    return (today - opens_on).days // REMIND_EVERY_DAYS


def run(now, stdout=None) -> dict:
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    pending = CampaignTarget.objects.filter(
        campaign__status=CampaignStatus.OPEN,
        campaign__opens_on__lte=today,
        campaign__closes_on__gte=today,
        response__isnull=True,
    )
    # Query 1: the unanswered targets (only the columns needed).
    rows = list(
        pending.order_by().values_list(
            "enterprise_id",
            "enterprise__name",
            "grid_id",
            "campaign_id",
            "campaign__title",
            "campaign__opens_on",
            "campaign__closes_on",
        )
    )
    if not rows:
        return {"targets": 0, "notified": 0}
    # Query 2: the contacts with a portal account of those enterprises.
    contacts = defaultdict(set)
    for enterprise_id, user_id in (
        Contact.objects.filter(
            enterprise__in=pending.values("enterprise_id"), user__isnull=False, user__is_active=True
        )
        .order_by()
        .values_list("enterprise_id", "user_id")
    ):
        contacts[enterprise_id].add(user_id)
    # Query 3: the grid officers in office for the grids asked.
    officers = defaultdict(set)
    for grid_id, user_id in (
        GridAssignment.objects.filter(
            active_q(today),
            role=AssignmentRole.OFFICER,
            grid__in=pending.filter(grid__isnull=False).values("grid_id"),
            user__is_active=True,
        )
        .order_by()
        .values_list("grid_id", F("user_id"))
    ):
        officers[grid_id].add(user_id)

    specs = []
    per_grid: dict[tuple, list] = defaultdict(list)
    for enterprise_id, enterprise_name, grid_id, campaign_id, title, opens_on, closes_on in rows:
        bucket = _round(opens_on, today)
        url = reverse("campaigns:answer", args=[campaign_id, enterprise_id])
        for user_id in contacts.get(enterprise_id, ()):
            specs.append(
                NotificationSpec(
                    recipient_id=user_id,
                    kind=KIND,
                    key=f"campaign:{campaign_id}:ent:{enterprise_id}:u:{user_id}:r:{bucket}",
                    title=_("Please answer “%(title)s” by %(date)s") % {"title": title, "date": closes_on},
                    body=_("%(enterprise)s has not answered yet.") % {"enterprise": enterprise_name},
                    url=url,
                )
            )
        if grid_id is not None:
            per_grid[(campaign_id, grid_id, title, bucket)].append(enterprise_name)
    for (campaign_id, grid_id, title, bucket), names in per_grid.items():
        url = reverse("campaigns:detail", args=[campaign_id]) + f"?grid={grid_id}&answered=no"
        for user_id in officers.get(grid_id, ()):
            specs.append(
                NotificationSpec(
                    recipient_id=user_id,
                    kind=KIND,
                    key=f"campaign:{campaign_id}:grid:{grid_id}:u:{user_id}:r:{bucket}",
                    title=_("%(count)d enterprises of your grid have not answered “%(title)s”")
                    % {"count": len(names), "title": title},
                    body="、".join(sorted(names)[:50]) + ("…" if len(names) > 50 else ""),
                    url=url,
                )
            )
    notified = notify(specs)
    if stdout is not None:
        stdout.write(f"campaigns: {len(rows)} unanswered targets, {notified} reminders\n")
    return {"targets": len(rows), "notified": notified}
