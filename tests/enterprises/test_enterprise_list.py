"""The enterprise list: filters, sorting, paging, htmx partials, and a query count independent of rows."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from jingkai.chains.models import Chain, ChainMembership
from tests import factories as f

ROW_LINK = re.compile(r'href="/enterprises/(\d+)/" class="fw-semibold')


def listed(response) -> list[int]:
    """Enterprise ids in table order."""
    return [int(pk) for pk in ROW_LINK.findall(response.content.decode())]


def make_enterprises(zone, n: int) -> None:
    park = f.ParkFactory()
    group = f.GroupFactory()
    for i in range(n):
        enterprise = f.EnterpriseFactory(grid=zone.grid1, park=park, group=group)
        f.AnnualScaleFactory(enterprise=enterprise, year=2022, above_size=i % 2 == 0)


def count_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_rows(client, zone):
    client.force_login(zone["zone_admin"])
    url = reverse("enterprises:list") + "?scale=above&year=2022&sort=-employees"
    make_enterprises(zone, 5)
    small = count_list_queries(client, url)
    small_plain = count_list_queries(client, reverse("enterprises:list"))
    make_enterprises(zone, 55)
    assert count_list_queries(client, url) == small
    assert count_list_queries(client, reverse("enterprises:list")) == small_plain


def test_query_count_does_not_grow_for_a_grid_officer(client, zone):
    client.force_login(zone["grid_officer"])
    make_enterprises(zone, 5)
    small = count_list_queries(client, reverse("enterprises:list"))
    make_enterprises(zone, 55)
    assert count_list_queries(client, reverse("enterprises:list")) == small


def test_fifty_rows_a_page(client, zone):
    make_enterprises(zone, 60)  # with the zone's four: 64
    client.force_login(zone["zone_admin"])
    first = client.get(reverse("enterprises:list"))
    second = client.get(reverse("enterprises:list") + "?page=2")
    assert len(listed(first)) == 50
    assert len(listed(second)) == 14
    assert not set(listed(first)) & set(listed(second))
    assert first.context["page"].paginator.count == 64


def test_search_by_name_and_by_code(client, zone):
    client.force_login(zone["zone_admin"])
    assert listed(client.get(reverse("enterprises:list"), {"q": "精密机床"})) == [zone.above1.pk]
    assert listed(client.get(reverse("enterprises:list"), {"q": zone.below2.uscc})) == [zone.below2.pk]


def test_scale_filter_uses_the_chosen_year(client, zone):
    f.AnnualScaleFactory(enterprise=zone.below1, year=2023, above_size=True)
    client.force_login(zone["zone_admin"])
    above_2022 = listed(client.get(reverse("enterprises:list"), {"scale": "above", "year": "2022"}))
    assert set(above_2022) == {zone.above1.pk, zone.above2.pk}
    above_2023 = listed(client.get(reverse("enterprises:list"), {"scale": "above", "year": "2023"}))
    assert above_2023 == [zone.below1.pk]


def test_grid_and_chain_filters(client, zone):
    chain = Chain.objects.create(code="auto-electronics", name="汽车电子")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above2)
    client.force_login(zone["zone_admin"])
    assert listed(client.get(reverse("enterprises:list"), {"grid": zone.grid1.code})) == [zone.above1.pk]
    assert listed(client.get(reverse("enterprises:list"), {"chain": chain.code})) == [zone.above2.pk]


def test_a_filter_cannot_widen_the_scope(client, zone):
    client.force_login(zone["grid_officer"])
    assert listed(client.get(reverse("enterprises:list"), {"grid": zone.grid2.code})) == []


def test_sorting_by_a_column(client, zone):
    zone.above1.employees, zone.below2.employees = 900, 5
    zone.above1.save()
    zone.below2.save()
    client.force_login(zone["zone_admin"])
    ordered = listed(client.get(reverse("enterprises:list"), {"sort": "-employees"}))
    assert ordered[0] == zone.above1.pk
    assert ordered[-1] == zone.below2.pk
    assert listed(client.get(reverse("enterprises:list"), {"sort": "employees"}))[0] == zone.below2.pk


def test_filter_drop_downs_offer_only_what_the_user_may_see(client, zone):
    client.force_login(zone["grid_officer"])
    html = client.get(reverse("enterprises:list")).content.decode()
    assert f'<option value="{zone.grid1.code}"' in html
    assert f'<option value="{zone.grid2.code}"' not in html
    assert 'name="community"' not in html  # no community to offer a grid officer


def test_htmx_gets_only_the_table(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:list"), {"q": "精密"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="enterprise-table"')
    assert listed(response) == [zone.above1.pk]
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("enterprises:list"), {"q": "精密"})
    assert "<html" in full.content.decode()


def test_export_and_admin_links(client, zone):
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("enterprises:list"), {"q": "精密", "page": "1"}).content.decode()
    assert f'href="{reverse("enterprises:export")}?q=%E7%B2%BE%E5%AF%86"' in html
    assert f'href="{reverse("enterprises:create")}"' in html
    assert f'href="{reverse("enterprises:import")}"' in html
    client.force_login(zone["grid_officer"])
    html = client.get(reverse("enterprises:list")).content.decode()
    assert f'href="{reverse("enterprises:create")}"' not in html


def test_a_bad_filter_value_is_reported_not_a_crash(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:list"), {"scale": "huge", "year": "abc"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors.keys() >= {"scale", "year"}
    assert "is-invalid" in response.content.decode()


def test_every_drop_down_starts_with_all(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:list"))
    form = response.context["filter_form"]
    for name in ("scale", "origin", "honour", "grid", "park", "year"):
        assert tuple(next(iter(form.fields[name].widget.choices))) == ("", gettext("All")), name
    assert "---------" not in response.content.decode()
