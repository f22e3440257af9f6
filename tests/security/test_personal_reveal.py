"""Personal data shown (docs/security.md §4): masked on every page, API answer and export; revealed in full only
by a permission-gated POST with a reason, audited, scoped (an outsider gets 404)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from jingkai.core import audit
from jingkai.demands import services
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import Channel, DemandCategory
from tests import factories as f

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def contact(zone):
    return f.ContactFactory(enterprise=zone.above1, name="王经理", phone=PHONE, is_primary=True)


@pytest.fixture
def demand(zone):
    ensure_defaults()
    return services.submit_demand(
        actor=zone.users["zone_admin"],
        enterprise=zone.above1,
        category=DemandCategory.objects.get(code="policy-consult"),
        description="希望了解研发费用加计扣除",
        channel=Channel.HOTLINE,
        contact_name="张三",
        contact_phone="13987654321",
    )


def as_(client, zone, persona):
    client.force_login(zone.users[persona])
    return client


def reveal_url(obj, field):
    return reverse("personal_reveal", args=[obj._meta.label_lower, obj.pk, field])


# --- masked by default ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["zone_admin", "grid_officer", "grid_leader"])
def test_the_profile_shows_the_contact_phone_masked_with_a_reveal_form(client, zone, contact, persona):
    html = as_(client, zone, persona).get(zone.above1.get_absolute_url()).content.decode()
    assert PHONE not in html and MASKED in html
    assert f'action="{reveal_url(contact, "phone")}"' in html
    assert "tel:" not in html  # the call link comes with the reveal


def test_an_enterprise_contact_sees_their_own_number_and_colleagues_masked(client, zone, contact):
    own = zone.users["enterprise"].enterprise_contact
    own.phone = "13700001111"
    own.save()
    html = as_(client, zone, "enterprise").get(zone.above1.get_absolute_url()).content.decode()
    assert PHONE not in html and reveal_url(contact, "phone") not in html
    assert "13700001111" in html  # their own record, unmasked (PIPL: access to one's own data)


def test_staff_phones_are_masked_on_the_profile_and_community_pages(client, zone, contact):
    officer = zone.users["grid_officer"]
    officer.phone = "13655556666"
    officer.save()
    community_officer = zone.users["community_officer"]
    community_officer.phone = "13644445555"
    community_officer.save()
    html = as_(client, zone, "grid_leader").get(zone.above1.get_absolute_url()).content.decode()
    assert "13655556666" not in html and "136****6666" in html
    page = (
        as_(client, zone, "zone_admin")
        .get(reverse("grids:community_detail", args=[zone.community1.code]))
        .content.decode()
    )
    assert "13644445555" not in page and "136****5555" in page


def test_the_demand_page_masks_its_contact_phone(client, zone, demand):
    for persona in ("zone_admin", "grid_officer", "enterprise"):
        html = as_(client, zone, persona).get(demand.get_absolute_url()).content.decode()
        assert "13987654321" not in html and "139****4321" in html, persona


def test_api_answers_hold_the_masked_phone(api_as, zone, contact):
    body = api_as("grid_officer").get(f"/api/enterprises/{zone.above1.uscc}").json()
    [manager] = [c for c in body["contacts"] if c["name"] == "王经理"]
    assert manager["phone"] == MASKED
    assert PHONE not in str(api_as("zone_admin").get("/api/enterprises").json())


def test_exports_hold_no_full_phone(client, zone, contact, demand):
    for url in (reverse("enterprises:export"), reverse("demands:export")):
        response = as_(client, zone, "zone_admin").get(url)
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = " ".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
        assert PHONE not in cells and "13987654321" not in cells


def test_the_admin_list_masks_and_finds_by_exact_phone(client, zone, contact):
    admin = zone.users["zone_admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    page = client.get(
        reverse("admin:enterprises_contact_changelist"), {"q": "138 1234 5678"}
    ).content.decode()
    assert PHONE not in page and MASKED in page and "王经理" in page
    form = client.get(reverse("admin:enterprises_contact_change", args=[contact.pk])).content.decode()
    assert PHONE not in form and MASKED in form  # the box holds a placeholder, never the value
    # An empty box keeps the number; a new one replaces it.
    data = {
        "enterprise": zone.above1.pk,
        "name": "王经理",
        "title": "",
        "phone": "",
        "email": "",
        "is_primary": "on",
    }
    assert (
        client.post(reverse("admin:enterprises_contact_change", args=[contact.pk]), data).status_code == 302
    )
    contact.refresh_from_db()
    assert contact.phone == PHONE
    client.post(
        reverse("admin:enterprises_contact_change", args=[contact.pk]), data | {"phone": "13900000000"}
    )
    contact.refresh_from_db()
    assert contact.phone == "13900000000"


# --- the reveal ------------------------------------------------------------------------------------------


def test_a_reveal_answers_the_full_value_and_is_audited(client, zone, contact):
    response = as_(client, zone, "grid_officer").post(
        reveal_url(contact, "phone"), {"reason": "回访核实联系方式"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE in html and f'href="tel:{PHONE}"' in html
    event = audit.AuditEvent.objects.get(kind=audit.Kind.REVEAL)
    assert event.actor_username == "grid_officer"
    assert event.target == f"enterprises.contact:{contact.pk}"
    assert event.details == {"field": "phone", "reason": "回访核实联系方式"}
    assert PHONE not in event.summary + str(event.details)  # the log says who saw what, not the value


def test_a_reveal_without_a_reason_is_refused_and_not_audited(client, zone, contact):
    with translation.override("en"):
        response = as_(client, zone, "grid_officer").post(reveal_url(contact, "phone"), {"reason": " x "})
    assert response.status_code == 400 and PHONE not in response.content.decode()
    assert not audit.AuditEvent.objects.filter(kind=audit.Kind.REVEAL).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("community_officer", 404),
        ("enterprise", 403),
        ("zone_admin", 200),
        ("grid_leader", 200),
    ],
)
def test_the_reveal_is_scoped(client, zone, contact, persona, status):
    response = as_(client, zone, persona).post(reveal_url(contact, "phone"), {"reason": "回访核实联系方式"})
    assert response.status_code == status
    assert (PHONE in response.content.decode()) is (status == 200)
    assert audit.AuditEvent.objects.filter(kind=audit.Kind.REVEAL).exists() is (status == 200)


def test_a_reveal_of_an_unknown_object_or_field_is_404(client, zone, contact):
    as_(client, zone, "zone_admin")
    for url in (
        reverse("personal_reveal", args=["enterprises.contact", contact.pk, "name"]),
        reverse("personal_reveal", args=["enterprises.contact", 999999, "phone"]),
        reverse("personal_reveal", args=["nothing.here", contact.pk, "phone"]),
        reverse("personal_reveal", args=["enterprises.enterprise", zone.above1.pk, "name"]),
    ):
        assert client.post(url, {"reason": "回访核实联系方式"}).status_code == 404, url
    assert client.get(reveal_url(contact, "phone")).status_code == 405


def test_the_demand_contact_phone_reveal(client, zone, demand):
    for persona, status in (("grid_officer", 200), ("enterprise", 200), ("outsider", 404)):
        response = as_(client, zone, persona).post(
            reveal_url(demand, "contact_phone"), {"reason": "回访核实联系方式"}
        )
        assert response.status_code == status, persona
    assert audit.AuditEvent.objects.filter(kind=audit.Kind.REVEAL).count() == 2


def test_the_api_reveal(api_as, zone, contact):
    body = {"object": "enterprises.contact", "id": contact.pk, "field": "phone", "reason": "回访核实联系方式"}
    answer = api_as("grid_officer").post("/api/personal/reveal", body, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json() == {
        "object": "enterprises.contact",
        "id": contact.pk,
        "field": "phone",
        "value": PHONE,
        "masked": MASKED,
    }
    assert audit.AuditEvent.objects.get(kind=audit.Kind.REVEAL).details["reason"] == "回访核实联系方式"
    assert (
        api_as("outsider").post("/api/personal/reveal", body, content_type="application/json").status_code
        == 404
    )
    no_reason = api_as("grid_officer").post(
        "/api/personal/reveal", body | {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 422 and PHONE not in no_reason.content.decode()


def test_the_enterprise_search_finds_a_contact_by_exact_phone_within_scope(client, zone, contact, api_as):
    found = api_as("grid_officer").get("/api/enterprises", {"q": "138-1234-5678"}).json()
    assert [e["name"] for e in found["items"]] == [zone.above1.name]
    assert api_as("outsider").get("/api/enterprises", {"q": PHONE}).json()["count"] == 0
    assert api_as("grid_officer").get("/api/enterprises", {"q": "13812345670"}).json()["count"] == 0
