"""Pages: scoping (403/404), the ledger list with filters and RAG, the stage form's refusal, figures, import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jingkai.investment import services
from jingkai.investment.models import Milestone
from tests.investment.test_ledger import good_rows, workbook


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "listed"),
    [("investment", 4), ("zone_admin", 4), ("grid_officer", 1), ("community_officer", 1)],
)
def test_ledger_list_is_scoped(inv, persona, listed):
    response = client_for(inv[persona]).get("/investment/")
    assert response.status_code == 200
    codes = {p.code for p in response.context["page"].object_list}
    assert all(
        f"/investment/{p.pk}/" in response.content.decode() for p in response.context["page"].object_list
    )
    assert len(codes) == listed


@pytest.mark.parametrize("persona", ["enterprise", "department"])
def test_other_roles_get_403_and_404(inv, persona):
    client = client_for(inv[persona])
    assert client.get("/investment/").status_code == 403
    assert client.get(f"/investment/{inv.p_grid1.pk}/").status_code in (403, 404)


def test_grid_officer_cannot_open_another_grids_project(inv):
    client = client_for(inv["grid_officer"])
    assert client.get(f"/investment/{inv.p_grid1.pk}/").status_code == 200
    assert client.get(f"/investment/{inv.p_grid2.pk}/").status_code == 404
    assert client.get(f"/investment/{inv.p_none.pk}/").status_code == 404


def test_rag_filter_and_red_row(inv):
    Milestone.objects.create(project=inv.p_grid1, stage="negotiating", planned_on=dt.date(2020, 1, 1))
    response = client_for(inv["investment"]).get("/investment/?rag=red")
    assert [p.code for p in response.context["page"].object_list] == ["P1"]
    assert 'data-rag="red"' in response.content.decode()
    bad = client_for(inv["investment"]).get("/investment/?rag=purple")
    assert bad.context["errors"] and bad.status_code == 200


def test_stage_form_shows_required_fields_and_refuses_skips(inv):
    client = client_for(inv["investment"])
    url = f"/investment/{inv.p_none.pk}/stage/"
    page = client.get(url + "?to=negotiating")
    assert "owner" in page.context["form"].fields
    skip = client.get(url + "?to=approved")
    assert skip.context["refusal"]
    refused = client.post(
        url,
        {
            "to": "approved",
            "approval_on": "2022-01-01",
            "approval_number": "x",
            "contract_on": "2022-01-01",
            "total_investment": "1",
            "owner": inv["investment"].pk,
        },
    )
    assert refused.status_code == 422
    inv.p_none.refresh_from_db()
    assert inv.p_none.stage == "lead"
    ok = client.post(url, {"to": "negotiating", "owner": inv["investment"].pk})
    assert ok.status_code == 302
    inv.p_none.refresh_from_db()
    assert inv.p_none.stage == "negotiating"
    signed = client.post(url, {"to": "signed", "contract_on": "2022-02-01", "total_investment": "5000"})
    assert signed.status_code == 302
    inv.p_none.refresh_from_db()
    assert inv.p_none.total_investment == Decimal("50000000")


def test_grid_staff_cannot_use_the_stage_form(inv):
    assert (
        client_for(inv["grid_officer"]).get(f"/investment/{inv.p_grid1.pk}/stage/?to=negotiating").status_code
        == 403
    )


def test_detail_forms_record_arrivals_and_follow_ups(inv):
    client = client_for(inv["investment"])
    base = f"/investment/{inv.p_none.pk}/"
    client.post(
        base + "arrivals/", {"on": "2022-05-01", "kind": "domestic", "amount_wan": "1200", "note": ""}
    )
    client.post(base + "follow-ups/", {"on": "2022-05-02", "kind": "call", "note": "电话沟通"})
    assert inv.p_none.arrivals.get().amount == Decimal("12000000")
    assert inv.p_none.follow_ups.get().note == "电话沟通"
    page = client.get(base)
    assert "1200万元" in page.content.decode()


def test_figures_page_and_monthly_report(inv):
    services.add_arrival(
        inv.p_none,
        {"on": dt.date(2022, 3, 1), "kind": "domestic", "amount": Decimal("300000000")},
        inv["investment"],
    )
    client = client_for(inv["investment"])
    page = client.get("/investment/figures/?year=2022&by=owner")
    assert page.status_code == 200
    rows = {r["key"]: r["display"] for r in page.context["rows"]}
    assert rows["domestic_arrived"] == "3亿元"
    assert page.context["chart"]["series"][4]["data"][2] == 3.0
    report = client.get("/investment/monthly-report.xlsx?year=2022&month=3")
    assert report.status_code == 200 and report.content[:2] == b"PK"


def test_import_pages(inv):
    client = client_for(inv["investment"])
    upload = client.post("/investment/import/", {"file": _file(workbook(good_rows(inv)))})
    assert upload.status_code == 302
    preview = client.get(upload["Location"])
    assert preview.context["counts"]["create"] == 2 and preview.context["can_commit"]
    done = client.post(upload["Location"])
    assert done.status_code == 302
    assert client_for(inv["grid_officer"]).get("/investment/import/").status_code == 403


def test_enterprise_panel(inv):
    html = (
        client_for(inv["grid_officer"]).get(f"/investment/enterprise/{inv.above1.pk}/panel/").content.decode()
    )
    assert "项目P1" in html
    assert (
        client_for(inv["grid_officer"]).get(f"/investment/enterprise/{inv.above2.pk}/panel/").status_code
        == 404
    )
    assert client_for(inv["enterprise"]).get(f"/investment/enterprise/{inv.above1.pk}/panel/").content == b""


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "台账.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_home_card_and_navigation_for_investment_staff(inv):
    html = client_for(inv["investment"]).get("/").content.decode()
    assert 'data-card="investment"' in html and 'href="/investment/"' in html
    other = client_for(inv["department"]).get("/").content.decode()
    assert 'data-card="investment"' not in other and 'href="/investment/"' not in other
