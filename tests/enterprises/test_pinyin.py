"""Enterprise names in pinyin order, and found by pinyin initials or full pinyin (issue 11 §5)."""

from __future__ import annotations

import importlib
import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingkai.core import pinyin
from jingkai.enterprises import services
from jingkai.enterprises.models import Enterprise
from tests import factories as f

ROW_LINK = re.compile(r'href="/enterprises/(\d+)/" class="fw-semibold')

# Code-point order is 津 < 重 < 长 < 阿: the reverse of what a reader expects.
ALI = "阿里巴巴（中国）有限公司"
CHANGAN = "长安汽车有限公司"
CHONGQING = "重庆银行股份有限公司"
JINSHANG = "津上精密机床（浙江）有限公司"
PINYIN_ORDER = [ALI, CHANGAN, CHONGQING, JINSHANG]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("重庆", "chong qing"),
        ("长安", "chang an"),
        ("银行", "yin hang"),
        ("厦门", "xia men"),
        ("重庆长安汽车", "chong qing chang an qi che"),
        ("中国重汽", "zhong guo zhong qi"),
        ("长治重工", "chang zhi zhong gong"),  # PHRASES: pypinyin alone reads 长治 zhang zhi
        ("中国银行厦门分行", "zhong guo yin hang xia men fen hang"),
        ("绿地", "lv di"),
        ("ＡＢＣ科技（苏州）", "abc ke ji su zhou"),
    ],
)
def test_polyphonic_characters_are_read_in_context(name, key):
    assert pinyin.sort_key(name) == key


def test_keys_of_a_name():
    assert pinyin.name_keys("津上精密") == {
        "name_sort": "jin shang jing mi",
        "name_pinyin": "jinshangjingmi",
        "name_initials": "jsjm",
    }
    assert pinyin.initials("3M中国") == "3mzg"


@pytest.mark.parametrize(
    ("term", "letters"),
    [("jsjm", "jsjm"), ("JinShang", "jinshang"), (" jin shang ", "jinshang"), ("xi'an", "xian")],
)
def test_a_term_of_ascii_letters_is_pinyin(term, letters):
    assert pinyin.as_query(term) == letters


@pytest.mark.parametrize("term", ["津上", "jsjm1", "91330482", "a-b", "", "  ", "ｊｓｊｍ"])
def test_other_terms_are_not_pinyin(term):
    assert pinyin.as_query(term) is None


@pytest.fixture
def named(zone):
    """The four enterprises of PINYIN_ORDER, created in code-point order through the service."""
    admin = zone["zone_admin"]
    made = {}
    for name in sorted(PINYIN_ORDER):
        made[name] = services.create_enterprise({"uscc": f.next_uscc(), "name": name}, admin)
    return made


def page_ids(client, **params) -> list[int]:
    response = client.get(reverse("enterprises:list"), params)
    assert response.status_code == 200
    return [int(pk) for pk in ROW_LINK.findall(response.content.decode())]


def api_names(client, **params) -> list[str]:
    response = client.get("/api/enterprises", params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_the_service_stores_the_keys(named):
    jinshang = Enterprise.objects.get(pk=named[JINSHANG].pk)
    assert jinshang.name_sort.startswith("jin shang jing mi ji chuang")
    assert jinshang.name_pinyin.startswith("jinshangjingmi")
    assert jinshang.name_initials.startswith("jsjm")


def test_the_list_page_sorts_by_pinyin(client, zone, named):
    client.force_login(zone["zone_admin"])
    ours = {e.pk: name for name, e in named.items()}
    assert [ours[pk] for pk in page_ids(client) if pk in ours] == PINYIN_ORDER
    assert [ours[pk] for pk in page_ids(client, sort="-name") if pk in ours] == PINYIN_ORDER[::-1]


def test_the_api_sorts_by_pinyin(zone, admin_api, named):
    names = api_names(admin_api)
    assert [n for n in names if n in named] == PINYIN_ORDER
    # The zone's own enterprises (甲乙丙丁) take their places among them.
    assert names == sorted(names, key=pinyin.sort_key)
    assert api_names(admin_api, sort="-name") == names[::-1]


def test_the_export_lists_in_pinyin_order(client, zone, named):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [n for n in names if n in named] == PINYIN_ORDER
    assert names == sorted(names, key=pinyin.sort_key)


def test_the_default_ordering_is_pinyin(named):
    names = [n for n in Enterprise.objects.values_list("name", flat=True) if n in named]
    assert names == PINYIN_ORDER


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("jsjm", [JINSHANG]),
        ("JSJM", [JINSHANG]),
        ("jinshang", [JINSHANG]),
        ("jin shang", [JINSHANG]),
        ("JinShangJingMi", [JINSHANG]),
        ("津上", [JINSHANG]),
        ("精密机床", [JINSHANG, "甲精密机床有限公司"]),
        ("chongqing", [CHONGQING]),
        ("cqyh", [CHONGQING]),
        ("yinhang", [CHONGQING]),
        ("changan", [CHANGAN]),
        ("alibaba", [ALI]),
        ("zhangan", []),  # 长 is chang here, not zhang
        ("zhongqing", []),  # 重 is chong here, not zhong
        ("c", [CHANGAN, CHONGQING]),  # one letter: the first initial only
    ],
)
def test_search_by_pinyin_or_characters(zone, admin_api, client, named, term, found):
    by_pinyin_order = sorted(found, key=pinyin.sort_key)
    assert api_names(admin_api, q=term) == by_pinyin_order
    client.force_login(zone["zone_admin"])
    ours = {e.pk: e.name for e in Enterprise.objects.all()}
    assert [ours[pk] for pk in page_ids(client, q=term)] == by_pinyin_order


def test_search_by_credit_code_still_works(zone, admin_api, named):
    code = named[CHANGAN].uscc
    assert api_names(admin_api, q=code) == [CHANGAN]
    assert api_names(admin_api, q=code.lower()) == [CHANGAN]


def test_pinyin_search_respects_the_scope(zone, api_as, named):
    # A grid officer sees the enterprises of their grid only, whatever the term.
    named[JINSHANG].grid = zone.grid1
    named[JINSHANG].save()
    named[CHANGAN].grid = zone.grid2
    named[CHANGAN].save()
    officer = api_as("grid_officer")
    assert api_names(officer, q="jsjm") == [JINSHANG]
    assert api_names(officer, q="changan") == []


def test_a_rename_through_the_service_updates_the_keys(zone, admin_api, named):
    admin = zone["zone_admin"]
    saved = services.update_enterprise(named[CHANGAN], {"name": "厦门航空有限公司"}, admin)
    stored = Enterprise.objects.get(pk=saved.pk)
    assert stored.name_sort == "xia men hang kong you xian gong si"
    assert stored.name_initials == "xmhkyxgs"
    assert api_names(admin_api, q="xiamen") == ["厦门航空有限公司"]
    assert api_names(admin_api, q="changan") == []
    assert [n for n in api_names(admin_api) if n in {*named, "厦门航空有限公司"}] == [
        ALI,
        CHONGQING,
        JINSHANG,
        "厦门航空有限公司",
    ]


def test_a_save_of_the_name_alone_updates_the_keys(named):
    enterprise = named[JINSHANG]
    enterprise.name = "重庆长安汽车股份有限公司"
    enterprise.save(update_fields=["name"])
    assert Enterprise.objects.get(pk=enterprise.pk).name_initials == "cqcaqcgfyxgs"


def test_the_keys_stay_out_of_the_change_log(named):
    history = Enterprise.history.model
    assert not {"name_sort", "name_pinyin", "name_initials"} & {f.name for f in history._meta.fields}


def queries_for(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/enterprises", params)
    assert response.status_code == 200
    return len(captured)


def test_pinyin_search_adds_no_query_per_row(zone, admin_api, named):
    # Warm up what is read once per process (contributions, the latest data year).
    queries_for(admin_api, q="jsjm")
    few = queries_for(admin_api, q="jsjm")
    plain = queries_for(admin_api)
    for i in range(30):
        f.EnterpriseFactory(name=f"津上精密配件{i}有限公司")
    assert len(api_names(admin_api, q="jsjm")) == 31
    assert queries_for(admin_api, q="jsjm") == few == plain


def test_the_demo_scale_generator_writes_the_keys(zone):
    from jingkai.demo.generator import generate_scale

    before = set(Enterprise.objects.values_list("pk", flat=True))
    generate_scale(3, seed=7)
    made = Enterprise.objects.exclude(pk__in=before)
    assert made.count() == 3
    for enterprise in made:
        assert enterprise.name_sort and enterprise.name_sort == pinyin.sort_key(enterprise.name)
        assert enterprise.name_initials == pinyin.initials(enterprise.name)


def test_the_migration_fills_existing_rows(named):
    Enterprise.objects.update(name_sort="", name_pinyin="", name_initials="")
    migration = importlib.import_module("jingkai.enterprises.migrations.0002_pinyin_name_keys")

    class Editor:
        connection = connection

    migration.fill(apps, Editor())
    stored = Enterprise.objects.get(pk=named[CHONGQING].pk)
    assert (stored.name_sort, stored.name_initials) == (
        "chong qing yin hang gu fen you xian gong si",
        "cqyhgfyxgs",
    )
    assert not Enterprise.objects.filter(name_sort="").exists()
