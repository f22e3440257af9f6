"""A grid or community page shows its first enterprises and links to the full, paginated list."""

import re

from django.urls import reverse

from tests import factories as f


def test_a_large_grid_page_shows_the_first_50_and_links_to_all(client, zone):
    f.EnterpriseFactory.create_batch(55, grid=zone.grid1)  # with above1: 56 in the grid
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("grids:detail", args=[zone.grid1.code])).content.decode()
    assert len(set(re.findall(r'href="/enterprises/(\d+)/"', html))) == 50
    assert "56" in html
    assert f'href="/enterprises/?grid={zone.grid1.code}"' in html
    listed = client.get(f"/enterprises/?grid={zone.grid1.code}").content.decode()
    assert "56" in listed  # the full list holds them all


def test_a_small_community_page_shows_everything_without_a_link(client, zone):
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("grids:community_detail", args=[zone.community1.code])).content.decode()
    assert zone.below1.name in html
    assert f"/enterprises/?community={zone.community1.code}" not in html


def test_the_cap_keeps_the_page_query_count_flat(client, zone):
    client.force_login(zone["zone_admin"])
    url = reverse("grids:detail", args=[zone.grid1.code])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    f.EnterpriseFactory.create_batch(70, grid=zone.grid1)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
