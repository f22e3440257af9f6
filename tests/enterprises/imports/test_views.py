"""Upload → preview → commit pages: zone admins only, the uploader only, all or nothing, once."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingkai.core.models import ImportBatch
from jingkai.enterprises.models import Enterprise
from tests import factories as f
from tests.core.imports.helpers import NAME, USCC, new_row, read_back, sheet_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NON_ADMINS = ["grid_leader", "grid_officer", "community_officer", "department", "enterprise", "outsider"]


def upload(client, content: bytes, name: str = "名单.xlsx"):
    return client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile(name, content, XLSX)})


def preview_url(batch) -> str:
    return reverse("enterprises:import_preview", args=[batch.pk])


@pytest.fixture
def admin_client(client, zone):
    client.force_login(zone["zone_admin"])
    return client


def test_upload_preview_and_commit(admin_client, zone):
    rows = [new_row(), new_row(), {USCC: zone.above1.uscc, NAME: zone.above1.name, "从业人员": 150}]
    content = sheet_of(*rows)
    assert admin_client.get(reverse("enterprises:import")).status_code == 200

    response = upload(admin_client, content)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(batch)
    assert (batch.kind, batch.file_name, batch.uploaded_by) == (
        "enterprises",
        "名单.xlsx",
        zone["zone_admin"],
    )
    assert bytes(batch.content) == content and batch.sha256 == hashlib.sha256(content).hexdigest()

    response = admin_client.get(preview_url(batch))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["create"], counts["update"], counts["unchanged"], counts["errors"]) == (2, 1, 0, 0)
    assert response.context["can_commit"]
    html = response.content.decode()
    assert rows[0][NAME] in html and 'data-action="update"' in html
    assert Enterprise.objects.filter(uscc=rows[0][USCC]).count() == 0  # a preview writes nothing

    response = admin_client.post(preview_url(batch))
    assert response.status_code == 302 and response["Location"] == preview_url(batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Enterprise.objects.filter(uscc__in=[rows[0][USCC], rows[1][USCC]]).count() == 2
    zone.above1.refresh_from_db()
    assert zone.above1.employees == 150

    # The committed batch shows what was applied and offers no second commit.
    response = admin_client.get(preview_url(batch))
    assert response.context["committed"] and not response.context["can_commit"]
    assert response.context["counts"]["create"] == 2


def test_a_second_commit_is_refused(admin_client, zone):
    upload(admin_client, sheet_of(new_row()))
    batch = ImportBatch.objects.get()
    admin_client.post(preview_url(batch))
    count, history = Enterprise.objects.count(), Enterprise.history.count()
    response = admin_client.post(preview_url(batch))
    assert response.status_code == 409
    assert response.context["already"]
    assert (Enterprise.objects.count(), Enterprise.history.count()) == (count, history)


def test_a_file_with_errors_is_shown_and_refused(admin_client, zone):
    content = sheet_of(new_row(), new_row(从业人员="很多"), new_row(网格="G99"))
    upload(admin_client, content)
    batch = ImportBatch.objects.get()
    response = admin_client.get(preview_url(batch))
    assert not response.context["can_commit"]
    errors = response.context["summary"]["errors"]
    assert [(e["row"], e["column"], e["letter"]) for e in errors] == [(3, "从业人员", "C"), (4, "网格", "D")]
    html = response.content.decode()
    assert 'id="import-errors"' in html and "很多" in html and "G99" in html
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED

    count = Enterprise.objects.count()
    response = admin_client.post(preview_url(batch))
    assert response.status_code == 200 and response.context["refused"]
    assert Enterprise.objects.count() == count
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED


def test_what_is_not_a_workbook_is_refused_at_upload(admin_client):
    response = upload(admin_client, b"%PDF-1.4 not a table", "名单.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_a_csv_is_accepted_at_upload_and_read(admin_client):
    content = "统一社会信用代码,企业名称\n91330482MA2C00014X,某某公司\n".encode("gb18030")
    response = upload(admin_client, content, "名单.csv")
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    assert preview.status_code == 200
    batch = ImportBatch.objects.get()
    assert any("GB18030" in notice for notice in batch.summary["notices"])
    assert "GB18030" in preview.content.decode()


def test_a_file_too_big_is_refused_at_upload(admin_client, settings):
    content = sheet_of(new_row())
    settings.JINGKAI_IMPORT_MAX_BYTES = len(content) - 1
    response = upload(admin_client, content)
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_zone_admins_may_import(client, zone, persona):
    batch = ImportBatch.objects.create(
        kind="enterprises",
        file_name="a.xlsx",
        content=sheet_of(new_row()),
        sha256="x",
        uploaded_by=zone["zone_admin"],
    )
    client.force_login(zone[persona])
    assert client.get(reverse("enterprises:import")).status_code == 403
    assert upload(client, sheet_of(new_row())).status_code == 403
    assert client.get(reverse("enterprises:import_template")).status_code == 403
    assert client.get(preview_url(batch)).status_code == 403
    count = Enterprise.objects.count()
    assert client.post(preview_url(batch)).status_code == 403
    assert Enterprise.objects.count() == count
    assert ImportBatch.objects.count() == 1


def test_another_admins_batch_is_not_found(client, zone):
    batch = ImportBatch.objects.create(
        kind="enterprises",
        file_name="a.xlsx",
        content=sheet_of(new_row()),
        sha256="x",
        uploaded_by=zone["zone_admin"],
    )
    client.force_login(f.UserFactory(role="zone_admin"))
    assert client.get(preview_url(batch)).status_code == 404
    assert client.post(preview_url(batch)).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_pages_need_a_sign_in(client, zone):
    for name in ("enterprises:import", "enterprises:import_template"):
        assert client.get(reverse(name)).status_code == 302


def test_the_template_download(admin_client):
    response = admin_client.get(reverse("enterprises:import_template"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert read_back(response.content)[0][:2] == ["统一社会信用代码*", "企业名称*"]


@pytest.mark.parametrize(
    "url_name", ["enterprises:import", "demands:import", "investment:import", "stats:import"]
)
def test_every_importer_refuses_a_file_too_big_or_not_a_workbook_before_storing_it(
    admin_client, settings, url_name
):
    content = sheet_of(new_row())
    settings.JINGKAI_IMPORT_MAX_BYTES = len(content) - 1
    response = admin_client.post(reverse(url_name), {"file": SimpleUploadedFile("a.xlsx", content, XLSX)})
    assert response.status_code == 200
    assert "MB" in " ".join(response.context["form"].errors["file"])
    settings.JINGKAI_IMPORT_MAX_BYTES = len(content) * 10
    response = admin_client.post(
        reverse(url_name), {"file": SimpleUploadedFile("a.txt", b"a,b\n1,2\n", XLSX)}
    )
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
