"""The import pages: upload, preview, commit; templates; the navbar entry for zone admins only."""

from __future__ import annotations

from django.urls import reverse

from jingkai.stats.models import MonthlyReport, StatsTemplate
from tests.stats.helpers import messy_workbook

OUT = "工业总产值"


def test_nav_entry_for_zone_admins_only(client, zone):
    url = reverse("stats:import")
    client.force_login(zone["zone_admin"])
    assert f'href="{url}"' in client.get("/").content.decode()
    client.force_login(zone["grid_leader"])
    assert f'href="{url}"' not in client.get("/").content.decode()
    assert client.get(url).status_code == 403


def test_upload_preview_and_commit_pages(client, zone):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(zone["zone_admin"])
    assert client.get(reverse("stats:import")).status_code == 200
    content = messy_workbook([{"uscc": zone.above1.uscc, "name": "a", (OUT, "本月"): 3, (OUT, "1-6月累计"): 3}],
                             title="2023年1月规上工业企业主要指标")  # fmt: skip
    response = client.post(reverse("stats:import"), {"file": SimpleUploadedFile("月报.xlsx", content)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "2023年1月" in preview.content.decode()
    assert not MonthlyReport.objects.exists()
    done = client.post(response["Location"])
    assert done.status_code == 302 and MonthlyReport.objects.count() == 1
    assert client.post(response["Location"]).status_code == 409


def test_templates_page_saves_a_mapping(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.post(
        reverse("stats:templates"),
        {"name": "局版", "unit_scale": "10000", "mapping_text": "A01指标|当期 = output_month\n"},
    )
    assert response.status_code == 302
    assert StatsTemplate.objects.get().mapping == {"A01指标|当期": "output_month"}
    bad = client.post(
        reverse("stats:templates"), {"name": "x", "unit_scale": "0", "mapping_text": "A = nope"}
    )
    assert bad.status_code == 200 and not StatsTemplate.objects.filter(name="x").exists()
