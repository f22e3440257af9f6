"""Notifications: stored once per key, e-mailed once as one digest per recipient, seen only by their recipient."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jingkai.notifications.models import Notification
from jingkai.notifications.services import NotificationSpec, notify, send_pending_emails


def _spec(user, key, title="逾期诉求", url="/demands/1/"):
    return NotificationSpec(recipient_id=user.pk, kind="test", key=key, title=title, url=url)


def test_notify_stores_each_key_once(zone):
    leader = zone["grid_leader"]
    assert notify([_spec(leader, "a"), _spec(leader, "b"), _spec(leader, "a")]) == 2
    assert notify([_spec(leader, "a"), _spec(leader, "c")]) == 1
    assert sorted(Notification.objects.values_list("key", flat=True)) == ["a", "b", "c"]


def test_notify_costs_the_same_queries_for_ten_or_a_hundred(zone):
    # (Beyond a batch the INSERT is split: SQLite takes at most 999 parameters per statement.)
    leader = zone["grid_leader"]
    counts = []
    for n in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            notify([_spec(leader, f"{n}-{i}") for i in range(n)])
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_pending_notifications_go_out_as_one_digest_per_recipient_and_only_once(zone):
    leader, admin = zone["grid_leader"], zone["zone_admin"]
    leader.email, admin.email = "leader@example.cn", "admin@example.cn"
    leader.save()
    admin.save()
    notify([_spec(leader, "1", "第一条"), _spec(leader, "2", "第二条"), _spec(admin, "3", "第三条")])
    assert send_pending_emails() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"leader@example.cn", "admin@example.cn"}
    assert "第一条" in by_recipient["leader@example.cn"].body
    assert "第二条" in by_recipient["leader@example.cn"].body
    assert "第三条" not in by_recipient["leader@example.cn"].body
    assert send_pending_emails() == 0
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_recipients_without_an_address_are_marked_done_without_mail(zone):
    officer = zone["grid_officer"]
    officer.email = ""
    officer.save()
    notify([_spec(officer, "x")])
    assert send_pending_emails() == 0
    assert mail.outbox == []
    assert Notification.objects.get(key="x").emailed_at is not None


def test_a_user_sees_and_reads_only_their_own_notifications(zone):
    leader, outsider = zone["grid_leader"], zone["outsider"]
    notify([_spec(leader, "mine", "给网格长的通知"), _spec(outsider, "theirs", "给别人的通知")])
    client = Client()
    client.force_login(leader)
    page = client.get("/notifications/").content.decode()
    assert "给网格长的通知" in page
    assert "给别人的通知" not in page
    assert 'data-testid="notification-count">1<' in client.get("/notifications/badge/").content.decode()
    theirs = Notification.objects.get(key="theirs")
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    mine = Notification.objects.get(key="mine")
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/demands/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_lists_only_the_callers_notifications(zone, api_as):
    leader, outsider = zone["grid_leader"], zone["outsider"]
    notify([_spec(leader, "mine"), _spec(leader, "mine2"), _spec(outsider, "theirs")])
    client = api_as("grid_leader", session=True)
    body = client.get("/api/notifications").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert {i["id"] for i in body["items"]} == set(
        Notification.objects.filter(recipient=leader).values_list("id", flat=True)
    )
    theirs = Notification.objects.get(key="theirs")
    assert client.post(f"/api/notifications/{theirs.pk}/read").status_code == 404
