"""The demand intake form, where the similar-demand lookup runs, lists enterprises in pinyin order (issue 11 §5).

The similar lookup itself takes the enterprise chosen in that list by id (demands/similar.py): it never looks an
enterprise up by name, so pinyin search has nothing to add there.
"""

from __future__ import annotations

import re

from django.urls import reverse

from jingkai.core import pinyin
from tests import factories as f

OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')
PINYIN_ORDER = [
    "阿里巴巴（中国）有限公司",
    "长安汽车有限公司",
    "重庆银行股份有限公司",
    "津上精密机床（浙江）有限公司",
]


def test_the_intake_form_lists_enterprises_in_pinyin_order(client, zone, category):
    for name in sorted(PINYIN_ORDER):  # created in code-point order: 津, 重, 长, 阿
        f.EnterpriseFactory(name=name)
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("demands:create"))
    assert response.status_code == 200
    html = response.content.decode()
    select = html[html.index('name="enterprise"') : html.index("</select>", html.index('name="enterprise"'))]
    names = [name.strip() for _pk, name in OPTION.findall(select)]
    assert [n for n in names if n in PINYIN_ORDER] == PINYIN_ORDER
    assert names == sorted(names, key=pinyin.sort_key)


def test_the_demand_pool_finds_a_demand_by_its_enterprises_pinyin(client, zone, file_demand):
    enterprise = f.EnterpriseFactory(name="津上精密机床（浙江）有限公司")
    demand = file_demand(enterprise=enterprise)
    client.force_login(zone["zone_admin"])
    for term in ("jsjm", "jinshang", "津上"):
        listed = client.get(reverse("demands:list"), {"q": term})
        assert demand.get_absolute_url() in listed.content.decode(), term
    assert (
        demand.get_absolute_url() not in client.get(reverse("demands:list"), {"q": "zzzz"}).content.decode()
    )
