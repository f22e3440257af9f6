"""Anonymising a departed contact (docs/security.md §4): a security administrator's page, audited; the name,
phone and e-mail leave the contact, its history, its portal account and the demands that carry them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingkai.core import audit
from jingkai.core.models import Role, User
from jingkai.demands import services
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import Channel, Demand, DemandCategory
from jingkai.enterprises.anonymise import ANONYMOUS_NAME
from jingkai.enterprises.models import Contact
from tests import factories as f

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def departed(zone):
    portal = zone.users["enterprise"]
    portal.full_name, portal.phone, portal.email = "王经理", PHONE, "w@example.com"
    portal.save()
    contact = portal.enterprise_contact
    contact.name, contact.phone, contact.email = "王经理", PHONE, "w@example.com"
    contact.save()
    contact.title = "总经理"
    contact.save()  # a second history row
    return contact


@pytest.fixture
def security_admin(db):
    return f.UserFactory(username="secadmin", role=Role.SECURITY_ADMIN)


def test_only_a_security_admin_reaches_the_pages(client, zone, departed, security_admin):
    for persona in ("zone_admin", "grid_officer", "enterprise"):
        client.force_login(zone.users[persona])
        assert client.get(reverse("enterprises:anonymise_search"), {"q": "王经理"}).status_code == 403
        assert (
            client.post(
                reverse("enterprises:anonymise", args=[departed.pk]), {"reason": "已离职"}
            ).status_code
            == 403
        )
    assert Contact.objects.get(pk=departed.pk).name == "王经理"
    client.force_login(security_admin)
    page = client.get(reverse("enterprises:anonymise_search"), {"q": "138-1234-5678"}).content.decode()
    assert "王经理" in page and PHONE not in page and "138****5678" in page


def test_anonymising_removes_the_person_everywhere_and_is_audited(client, zone, departed, security_admin):
    ensure_defaults()
    other = services.submit_demand(
        actor=zone.users["zone_admin"],
        enterprise=zone.above1,
        category=DemandCategory.objects.get(code="policy-consult"),
        description="另一位联系人的诉求",
        channel=Channel.HOTLINE,
        contact_name="李四",
        contact_phone="13900000000",
    )
    theirs = services.submit_demand(
        actor=zone.users["zone_admin"],
        enterprise=zone.above1,
        category=DemandCategory.objects.get(code="policy-consult"),
        description="王经理来电",
        channel=Channel.HOTLINE,
        contact_name="王先生",
        contact_phone="138 1234 5678",
    )
    client.force_login(security_admin)
    url = reverse("enterprises:anonymise", args=[departed.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "已离职，本人申请删除"}).status_code == 302

    contact = Contact.objects.get(pk=departed.pk)
    assert (contact.name, contact.phone, contact.email, contact.title) == (ANONYMOUS_NAME, "", "", "总经理")
    for row in Contact.history.filter(id=departed.pk):
        assert (row.name, row.phone, row.phone_index, row.email) == (ANONYMOUS_NAME, "", "", "")
    user = User.objects.get(pk=zone.users["enterprise"].pk)
    assert (user.full_name, user.phone, user.email, user.is_active) == (ANONYMOUS_NAME, "", "", False)
    assert all(r.full_name == ANONYMOUS_NAME and r.phone == "" for r in User.history.filter(id=user.pk))
    mine = Demand.objects.get(pk=theirs.pk)
    assert (mine.contact_name, mine.contact_phone) == (ANONYMOUS_NAME, "")
    assert all(r.contact_phone == "" for r in Demand.history.filter(id=theirs.pk))
    assert Demand.objects.get(pk=other.pk).contact_phone == "13900000000"  # someone else's stays

    event = audit.AuditEvent.objects.get(kind=audit.Kind.ANONYMISED)
    assert event.actor_username == "secadmin" and event.target == f"enterprises.contact:{departed.pk}"
    assert event.details["reason"] == "已离职，本人申请删除"
    assert event.details["contact_history"] >= 3 and event.details["demands"] == 1
    assert "王经理" not in str(event.details) + event.summary
    # Done once: a second request is refused, and no longer found by name.
    assert client.post(url, {"reason": "再次匿名"}).status_code == 400
    again = client.get(reverse("enterprises:anonymise_search"), {"q": "王经理"}).content.decode()
    assert reverse("enterprises:anonymise", args=[departed.pk]) not in again
