"""Campaign reminders: who is reminded, idempotent within a round, constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jingkai.campaigns import services, sweep
from jingkai.campaigns.models import CampaignTarget
from jingkai.grids.models import AssignmentRole
from jingkai.notifications.models import Notification
from tests import factories as f
from tests.campaigns.test_campaigns import GOOD


def at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_reminds_contacts_and_grid_officers_of_unanswered_targets(zone, campaign):
    services.answer(campaign.targets.get(enterprise=zone.below1), zone["zone_admin"], GOOD)
    result = sweep.run(at(dt.date(2022, 4, 7)))  # opened 4-06: reminders in rounds 4-06…08, 4-09…11, …
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    # above1's contact and G01's officer; G02's officer (the outsider persona); no one for below1 (answered).
    assert recipients == {"enterprise", "grid_officer", "outsider"}
    assert result["targets"] == 3
    contact_note = Notification.objects.get(recipient=zone["enterprise"])
    assert contact_note.url == f"/campaigns/{campaign.pk}/answer/{zone.above1.pk}/"
    # Running it again in the same round notifies nobody twice.
    assert sweep.run(at(dt.date(2022, 4, 7)))["notified"] == 0
    assert sweep.run(at(dt.date(2022, 4, 8)))["notified"] == 0
    assert Notification.objects.count() == 3
    # The next round reminds again whoever still has not answered.
    services.answer(campaign.targets.get(enterprise=zone.above1), zone["enterprise"], GOOD)
    assert sweep.run(at(dt.date(2022, 4, 9)))["notified"] == 1  # G02's officer, for above2


def test_no_reminders_outside_the_open_period(zone, campaign):
    assert sweep.run(at(dt.date(2022, 4, 1)))["notified"] == 0
    assert sweep.run(at(dt.date(2022, 6, 1)))["notified"] == 0
    services.close_campaign(campaign, zone["zone_admin"])
    assert sweep.run(at(dt.date(2022, 4, 8)))["notified"] == 0
    assert not Notification.objects.exists()


def _queries(now) -> int:
    with CaptureQueriesContext(connection) as ctx:
        sweep.run(now)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_targets(zone, campaign):
    small = _queries(at(dt.date(2022, 4, 8)))
    Notification.objects.all().delete()
    for _i in range(25):
        ent = f.EnterpriseFactory(grid=zone.grid1)
        f.ContactFactory(enterprise=ent, user=f.UserFactory(role="enterprise"))
        CampaignTarget.objects.create(campaign=campaign, enterprise=ent, grid=zone.grid1)
    f.GridAssignmentFactory(grid=zone.grid1, role=AssignmentRole.OFFICER)
    large = _queries(at(dt.date(2022, 4, 8)))
    assert Notification.objects.count() == 3 + 25 + 1
    assert large == small
