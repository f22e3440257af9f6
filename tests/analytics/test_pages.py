"""Economic-operation pages: scoping, figures on the page, .xlsx downloads, the enterprise trend panel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from jingkai.analytics import engine
from tests.conftest import PERSONAS, VISIBLE


@pytest.fixture
def refreshed(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), dt.date(2022, 12, 1)])
    return stats_zone


def login(client, zone, persona):
    client.force_login(zone[persona])
    return client


MAY_USE = {"zone_admin", "department", "grid_leader", "grid_officer", "outsider"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_overview_access(refreshed, client, persona):
    response = login(client, refreshed, persona).get("/economy/?period=2022-12")
    assert response.status_code == (200 if persona in MAY_USE else 404)
    if persona == "zone_admin":
        html = response.content.decode()
        assert 'data-figure="cum">215.00<' in html
        assert "汽车电子" in html and "德资" in html
        assert 'data-export="targets"' in html
        # The chain footnote sits in its card's footer (below the card it lay under the next row's card).
        chain_card = html[html.index('data-export="chain"') :].split("</section>", 1)[0]
        assert "data-note>一家企业属于多条产业链时在每条链中都计入" in chain_card
        assert "2022年1–12月累计" in html
    if persona == "grid_leader":
        html = response.content.decode()
        assert 'data-figure="cum">145.00<' in html  # above1 + riser (grid1)
        assert refreshed.above2.name not in html
        assert 'data-export="targets"' not in html


def test_nav_shows_economic_operation_to_staff_who_may_use_it(refreshed, client):
    html = login(client, refreshed, "department").get("/").content.decode()
    assert "/economy/" in html
    client.logout()
    html = login(client, refreshed, "community_officer").get("/").content.decode()
    assert "/economy/" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_view_is_404_outside_the_users_grids(refreshed, client, persona):
    allowed = {"zone_admin": True, "grid_leader": True, "grid_officer": True}
    response = login(client, refreshed, persona).get(f"/economy/grids/{refreshed.grid1.pk}/?period=2022-12")
    assert response.status_code == (200 if allowed.get(persona) else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert 'data-figure="cum">145.00<' in html
        assert refreshed.above2.name not in html


def test_breakdown_pages(refreshed, client):
    login(client, refreshed, "zone_admin")
    for by in ("chain", "grid", "origin", "park", "group"):
        assert client.get(f"/economy/by/{by}/?period=2022-12").status_code == 200
    assert client.get("/economy/by/colour/").status_code == 404
    html = client.get("/economy/by/grid/?period=2022-12").content.decode()
    assert f"/economy/grids/{refreshed.grid2.pk}/" in html


def read_xlsx(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_every_chart_downloads_as_a_table(refreshed, client):
    login(client, refreshed, "zone_admin")
    rows = read_xlsx(client.get("/economy/export/chain.xlsx?period=2022-12").content)
    values = {r[0]: r[3] for r in rows[1:]}
    assert values["汽车电子"] == 160 and rows[-1][3] == 215  # the total row last
    for kind in ("origin", "grid", "park", "group", "trend", "top", "targets"):
        response = client.get(f"/economy/export/{kind}.xlsx?period=2022-12")
        assert response.status_code == 200, kind
        assert read_xlsx(response.content)[0]  # a header row at least
    top = read_xlsx(client.get("/economy/export/top.xlsx?period=2022-12").content)
    assert [r[0] for r in top[1:]] == ["甲精密机床有限公司", "乙汽车电子有限公司", "己新进企业", "庚升规企业"]


def test_grid_leader_downloads_only_their_figures(refreshed, client):
    login(client, refreshed, "grid_leader")
    top = read_xlsx(client.get("/economy/export/top.xlsx?period=2022-12").content)
    assert {r[0] for r in top[1:]} == {"甲精密机床有限公司", "庚升规企业"}
    assert client.get("/economy/export/targets.xlsx?period=2022-12").status_code == 404
    assert (
        client.get(f"/economy/export/chain.xlsx?period=2022-12&grid={refreshed.grid2.pk}").status_code == 404
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_panel_scoping(refreshed, client, persona):
    response = login(client, refreshed, persona).get(f"/economy/enterprises/{refreshed.above1.pk}/panel/")
    assert response.status_code == (200 if "above1" in VISIBLE[persona] else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert 'data-year-cum="2022">120.00<' in html
        assert 'data-year-yoy="2022">20.00%<' in html


def test_the_cached_overview_follows_refreshes_and_target_changes(refreshed, client):
    from jingkai.analytics.models import Target
    from tests.analytics.conftest import YI

    login(client, refreshed, "zone_admin")
    assert 'data-figure="cum">215.00<' in client.get("/economy/?period=2022-12").content.decode()
    row = refreshed.entrant.monthly_reports.get(period=dt.date(2022, 12, 1))
    row.output_cum = 40 * YI
    row.save()
    assert 'data-figure="cum">215.00<' in client.get("/economy/?period=2022-12").content.decode()  # cached
    engine.refresh([dt.date(2022, 12, 1)])  # what an import commit does
    assert 'data-figure="cum">225.00<' in client.get("/economy/?period=2022-12").content.decode()
    target = Target.objects.create(scope="zone", year=2022, value=300 * YI, title="年度产值目标")
    assert "年度产值目标" in client.get("/economy/?period=2022-12").content.decode()
    target.title = "新的目标名称"
    target.save()
    assert "新的目标名称" in client.get("/economy/?period=2022-12").content.decode()
