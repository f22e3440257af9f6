"""The one pager (templates/includes/pager.html): every click keeps the filters and exactly one `page`.

The demand and visit pagers once appended another `page=` on every click (?state=x&page=2&page=3).
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from jingkai.demands import views as demand_views
from jingkai.visits import views as visit_views
from jingkai.visits.services import log_visit
from tests.demands.conftest import ensure_default_categories


def next_link(html: str) -> str:
    (href,) = re.findall(r'<a class="page-link" rel="next" href="([^"]*)"', html)
    return unescape(href)


def click_next_twice(client, path: str, params: dict) -> list[dict]:
    html = client.get(path, params).content.decode()
    seen = []
    for _click in range(2):
        query = urlsplit(next_link(html)).query
        seen.append(parse_qs(query))
        html = client.get(f"{path}?{query}").content.decode()
    return seen


@pytest.mark.parametrize("list_kind", ["demands", "visits"])
def test_next_twice_keeps_one_page_and_the_filters(client, zone, monkeypatch, list_kind):
    if list_kind == "demands":
        from jingkai.demands import services
        from jingkai.demands.models import DemandCategory

        ensure_default_categories()
        category = DemandCategory.objects.get(code="infra-road")
        for n in range(7):
            services.submit_demand(
                actor=zone["zone_admin"],
                enterprise=zone.above1,
                category=category,
                description=f"道路积水第{n}处",
                channel="hotline",
            )
        monkeypatch.setattr(demand_views, "PAGE_SIZE", 2)
        path, params = "/demands/", {"state": "submitted", "q": "积水"}
    else:
        for n in range(7):
            log_visit(
                actor=zone["grid_officer"],
                enterprise=zone.above1,
                visited_on=dt.date(2023, 5, 1 + n),
                kind="officer",
            )
        monkeypatch.setattr(visit_views, "PAGE_SIZE", 2)
        path, params = "/visits/", {"kind": "officer", "date_from": "2023-05-01"}
    client.force_login(zone["zone_admin"])
    second, third = click_next_twice(client, path, params)
    expected = {key: [value] for key, value in params.items()}
    assert second == {**expected, "page": ["2"]}
    assert third == {**expected, "page": ["3"]}
