"""The year's 规上 roll from the statistics office's 规上名录 (issue 11 §6): plan, import, commit, coverage, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingkai.core.contributions import Listener
from jingkai.core.models import ImportBatch
from jingkai.enterprises import roll
from jingkai.enterprises.coverage import find_gaps
from jingkai.enterprises.history import change_log
from jingkai.enterprises.importers_roll import ScaleRollImporter
from jingkai.enterprises.models import AnnualScale
from tests.core.imports.helpers import located, table, xlsx
from tests.core.test_contributions import declare  # noqa: F401 (fixture)
from tests.factories import next_uscc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2023


def roll_file(*rows: tuple) -> bytes:
    """rows: (credit code, name, status) with status None for a blank cell."""
    return xlsx(
        {
            "2023年规上名录": table(
                [{"统一社会信用代码": c, "企业名称": n, "入库/退库": s} for c, n, s in rows]
            )
        }
    )


def the_year(zone) -> bytes:
    """below1 enters, above2 leaves, above1 stays (blank status: listed is 规上); below2 is not named."""
    return roll_file(
        (zone.below1.uscc, zone.below1.name, "入库"),
        (zone.above2.uscc, zone.above2.name, "退库"),
        (zone.above1.uscc.lower(), zone.above1.name, None),
    )


def upload(client, content: bytes, **options):
    file = SimpleUploadedFile("2023年规上名录.xlsx", content, XLSX)
    response = client.post(reverse("enterprises:scale_roll:import"), {"file": file, **options})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return response["Location"], ImportBatch.objects.filter(kind="scale_roll").latest("pk")


def statuses(year=YEAR) -> dict[str, bool]:
    return {
        row.enterprise.name: row.above_size
        for row in AnnualScale.objects.filter(year=year).select_related("enterprise")
    }


def test_the_preview_counts_entering_leaving_and_unchanged(zone):
    report = ScaleRollImporter().validate(the_year(zone), zone["zone_admin"], options={"year": YEAR})
    assert report.ok, report.errors
    assert report.counts["create"] == 1 and report.counts["update"] == 1 and report.counts["unchanged"] == 2
    moves = {row.label: (row.action, row.row) for row in report.rows}
    assert moves == {
        zone.below1.name: ("create", 2),
        zone.above2.name: ("update", 3),
        zone.above1.name: ("unchanged", 4),
        zone.below2.name: ("unchanged", 0),  # not named: keeps 规下 (carried, no sheet row)
    }
    assert not AnnualScale.objects.filter(year=YEAR).exists()  # a preview writes nothing


def test_a_complete_list_makes_the_enterprises_it_leaves_out_leave(zone):
    content = roll_file((zone.below1.uscc, zone.below1.name, "规上"))
    options = {"year": YEAR, "complete": True}
    report = ScaleRollImporter().validate(content, zone["zone_admin"], options=options)
    assert {row.label: row.action for row in report.rows} == {
        zone.below1.name: "create",
        zone.above1.name: "update",
        zone.above2.name: "update",
        zone.below2.name: "unchanged",
    }
    leave, keep = (str(n) for n in report.notices)  # above1 and above2 leave; below2 keeps 规下
    assert leave.startswith("2") and keep.startswith("1")


def test_the_page_commits_rows_with_history(client, zone):
    admin = zone["zone_admin"]
    client.force_login(admin)
    url, batch = upload(client, the_year(zone), year=YEAR)
    preview = client.get(url)
    assert preview.status_code == 200 and preview.context["can_commit"]
    assert [preview.context["counts"][k] for k in ("create", "update", "unchanged")] == [1, 1, 2]
    assert "2023" in preview.content.decode()  # the lead names the year

    done = client.post(url)
    assert done.status_code == 302
    assert statuses() == {
        zone.below1.name: True,
        zone.above2.name: False,
        zone.above1.name: True,
        zone.below2.name: False,
    }
    records = AnnualScale.history.filter(year=YEAR)
    assert records.count() == 4 and {r.history_user for r in records} == {admin}
    assert AnnualScale.objects.filter(year=2022).count() == 4  # the years before are kept


def test_a_bad_row_is_located_and_nothing_is_written(client, zone):
    client.force_login(zone["zone_admin"])
    content = roll_file(
        (zone.below1.uscc, zone.below1.name, "入库"),
        (next_uscc(), "不在平台的企业", "入库"),  # valid code, unknown enterprise
        (zone.above1.uscc, zone.above1.name, "火星"),  # not a status
        (zone.below1.uscc, zone.below1.name, "入库"),  # twice
    )
    before = AnnualScale.objects.count() + AnnualScale.history.count()
    url, batch = upload(client, content, year=YEAR)
    response = client.post(url)
    assert response.status_code == 200 and response.context["refused"]
    report = ScaleRollImporter().validate(content, zone["zone_admin"], options={"year": YEAR})
    assert located(report) == [
        ("2023年规上名录", 3, "统一社会信用代码", "A"),
        ("2023年规上名录", 4, "入库/退库", "C"),
        ("2023年规上名录", 5, "统一社会信用代码", "A"),
    ]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert AnnualScale.objects.count() + AnnualScale.history.count() == before


def test_a_failure_while_committing_undoes_every_row(zone, declare):  # noqa: F811
    def fail(plan, user):
        raise RuntimeError("listener failed")

    declare("later", Listener(roll.ROLL_COMMITTED, fail))
    plan = roll.plan_roll(YEAR, [roll.Decision(zone.below1.pk, True), roll.Decision(zone.above2.pk, False)])
    with pytest.raises(RuntimeError):
        roll.commit_roll(plan, zone["zone_admin"])
    assert not AnnualScale.objects.filter(year=YEAR).exists()
    assert not AnnualScale.history.filter(year=YEAR).exists()


def test_committing_again_writes_no_new_history(zone):
    admin = zone["zone_admin"]
    decisions = [roll.Decision(zone.below1.pk, True, Decimal("25000000"))]
    assert roll.commit_roll(roll.plan_roll(YEAR, decisions), admin) == 4  # below1 and the three carried
    assert roll.commit_roll(roll.plan_roll(YEAR, decisions), admin) == 0
    assert AnnualScale.history.filter(year=YEAR).count() == 4
    again = roll.plan_roll(YEAR, decisions)
    assert again.counts == {
        "entering": 1,
        "leaving": 0,
        "unchanged": 3,
    }  # against the year before, not itself


def test_after_the_roll_coverage_shows_who_must_move(zone):
    assert find_gaps() == []  # the zone is covered in 2022
    plan = roll.plan_roll(YEAR, [roll.Decision(zone.below1.pk, True), roll.Decision(zone.above2.pk, False)])
    roll.commit_roll(plan, zone["zone_admin"])
    gaps = {(gap.kind, gap.enterprise_id) for gap in find_gaps()}
    assert gaps == {("above_no_grid", zone.below1.pk), ("below_no_community", zone.above2.pk)}

    zone.below1.grid = zone.grid1
    zone.below1.save()
    zone.above2.community = zone.community2
    zone.above2.save()
    assert find_gaps() == []  # assigned: no longer a gap


def test_the_profile_change_log_shows_the_roll(client, zone):
    admin = zone["zone_admin"]
    roll.commit_roll(roll.plan_roll(YEAR, [roll.Decision(zone.above2.pk, False)]), admin)
    entries = [e for e in change_log(zone.above2) if e.record.history_user == admin]
    assert len(entries) == 1 and "2023" in entries[0].subject
    client.force_login(admin)
    html = client.get(reverse("enterprises:history", args=[zone.above2.pk])).content.decode()
    assert entries[0].subject in html  # the profile's change log (loaded into the page by htmx)


@pytest.mark.parametrize(
    "persona", ["grid_leader", "grid_officer", "community_officer", "department", "enterprise"]
)
def test_only_zone_admins_run_the_roll(client, zone, persona):
    user = zone[persona]
    client.force_login(user)
    assert client.get(reverse("enterprises:scale_roll")).status_code == 403
    assert client.get(reverse("enterprises:scale_roll:import")).status_code == 403
    with pytest.raises(PermissionDenied):
        roll.commit_roll(roll.plan_roll(YEAR, [roll.Decision(zone.below1.pk, True)]), user)
    assert not AnnualScale.objects.filter(year=YEAR).exists()


def test_the_roll_page_offers_the_import_and_lists_the_years(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:scale_roll"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("enterprises:scale_roll:import") in html
    assert response.context["years"] == [{"year": 2022, "above": 2, "below": 2}]


def test_the_revenue_column_is_read_in_wan_and_kept(zone):
    content = xlsx(
        {
            "名录": table(
                [{"统一社会信用代码": zone.below1.uscc, "规上/规下": "规上", "营业收入（万元）": 2500}]
            )
        }
    )
    importer = ScaleRollImporter()
    batch = importer.record_upload("名录.xlsx", content, zone["zone_admin"], {"year": YEAR})
    _batch, report = importer.commit_batch(batch.pk, zone["zone_admin"])
    assert report.ok, report.errors
    assert AnnualScale.objects.get(enterprise=zone.below1, year=YEAR).revenue == Decimal("25000000")
    assert AnnualScale.objects.get(enterprise=zone.below2, year=YEAR).revenue is None  # carried, no figure
