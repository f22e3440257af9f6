"""Investment reminders, run by `jingkai sweep`: to each open project's owner,

- no contact (跟进记录) for N days (ReminderSettings.no_contact_days, default 30);
- a planned milestone within N days (ReminderSettings.milestone_days, default 7).

Set-based (a fixed number of queries whatever the number of projects) and idempotent: each notification's
key names the project and the fact it is about, so a second run stores nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.investment.models import Milestone, Project, ReminderSettings, Stage, Status
from jingkai.notifications.services import NotificationSpec, notify

KIND_NO_CONTACT = "investment_no_contact"
KIND_MILESTONE = "investment_milestone"


def run(now, stdout=None) -> dict:
    today = now
    if isinstance(now, dt.datetime):
        today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    settings = ReminderSettings.current()
    open_projects = (
        Project.objects.exclude(status=Status.TERMINATED)
        .exclude(stage=Stage.FULL)
        .filter(owner__isnull=False, owner__is_active=True)
    )
    specs = []
    cutoff = today - dt.timedelta(days=settings.no_contact_days)
    rows = open_projects.annotate(last_contact=Max("follow_ups__on")).values(
        "id", "code", "name", "owner_id", "last_contact", "first_contact_on", "created_at"
    )
    for row in rows:
        last = row["last_contact"] or row["first_contact_on"] or row["created_at"].date()
        if last <= cutoff:
            days = (today - last).days
            specs.append(
                NotificationSpec(
                    recipient_id=row["owner_id"],
                    kind=KIND_NO_CONTACT,
                    key=f"project:{row['id']}:no_contact:{last.isoformat()}",
                    title=_("No contact with %(project)s for %(days)d days")
                    % {"project": row["name"], "days": days},
                    body=_("Last contact: %(date)s. Record a follow-up after the next contact.")
                    % {"date": last.isoformat()},
                    url=reverse("investment:detail", args=[row["id"]]),
                )
            )
    horizon = today + dt.timedelta(days=settings.milestone_days)
    due = Milestone.objects.filter(
        project__in=open_projects.values("pk"),
        actual_on__isnull=True,
        planned_on__gte=today,
        planned_on__lte=horizon,
    ).values("project_id", "project__name", "project__owner_id", "stage", "planned_on")
    for row in due:
        specs.append(
            NotificationSpec(
                recipient_id=row["project__owner_id"],
                kind=KIND_MILESTONE,
                key=f"project:{row['project_id']}:milestone:{row['stage']}:{row['planned_on'].isoformat()}",
                title=_("%(project)s: “%(stage)s” is planned for %(date)s")
                % {
                    "project": row["project__name"],
                    "stage": Stage(row["stage"]).label,
                    "date": row["planned_on"].isoformat(),
                },
                url=reverse("investment:detail", args=[row["project_id"]]),
            )
        )
    created = notify(specs)
    if stdout is not None:
        stdout.write(_("Investment reminders: %(count)d new") % {"count": created})
    return {"investment_reminders": created}
