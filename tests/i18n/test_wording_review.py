"""The wording review (/work/review): words right where they are shown, one sense per msgid.

Where one English msgid had two senses (an enterprise group and Django's auth group, closing a campaign and
closing a popup window, a closed demand and a closed campaign …), the pages are rendered and read.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from jingkai.campaigns import services as campaign_services
from jingkai.campaigns.models import Campaign
from jingkai.demands.models import Demand, DemandEvent
from jingkai.enterprises.models import Contact, Enterprise, Honour
from jingkai.investment.models import Project
from jingkai.visits.models import VisitCadence
from tests import factories as f
from tests.campaigns.conftest import campaign_data


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def superuser_client(client, db):
    # 三员分立 (issue 12): a superuser is a system administrator (users and sign-in records, no zone area).
    user = f.UserFactory(username="root", role="system_admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _label(html: str, field: str) -> str:
    match = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', html, re.S)
    assert match, field
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- one msgid, two senses ----------------------------------------------------------------------------------


def test_the_user_pages_groups_field_is_djangos_组_not_the_enterprise_group(superuser_client):
    user = f.UserFactory(username="someone")
    html = superuser_client.get(reverse("admin:core_user_change", args=[user.pk])).content.decode()
    assert _label(html, "groups").rstrip(":：") == "组"
    assert "所属集团" not in html  # (企业集团 is in the sidebar: the enterprise groups' admin page)
    assert str(Enterprise._meta.get_field("group").verbose_name) == "所属集团"
    assert translation.gettext("groups") == "组"


def test_status_is_经营状态_for_an_enterprise_and_状态_elsewhere():
    assert str(Enterprise._meta.get_field("status").verbose_name) == "经营状态"
    assert str(Project._meta.get_field("status").verbose_name) == "状态"
    assert str(Campaign._meta.get_field("status").verbose_name) == "状态"


def test_field_names_of_one_sense_each():
    assert str(DemandEvent._meta.get_field("from_state").verbose_name) == "原状态"
    assert str(DemandEvent._meta.get_field("to_state").verbose_name) == "新状态"
    assert str(VisitCadence._meta.get_field("period").verbose_name) == "周期"
    assert str(Demand._meta.get_field("closed_at").verbose_name) == "办结时间"
    assert str(Campaign._meta.get_field("closed_at").verbose_name) == "结束时间"
    assert str(Contact._meta.get_field("name").verbose_name) == "姓名"
    assert str(Honour._meta.get_field("title").verbose_name) == "荣誉名称"


def test_a_closed_demand_is_已办结(client, zone, demand_in):
    demand = demand_in("closed")
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "已办结" in html and "已结束" not in html
    # The timeline's labels are past-tense states; the buttons keep the verbs (签收办理, 评价).
    for label in ("已提交", "已签收", "已评价"):
        assert label in html, label


def test_a_campaign_is_closed_with_结束_and_then_is_已结束(client, zone):
    campaign = campaign_services.create_campaign(zone["zone_admin"], campaign_data())
    campaign_services.launch_campaign(campaign, zone["zone_admin"])
    client.force_login(zone["zone_admin"])
    url = reverse("campaigns:detail", args=[campaign.pk])
    html = client.get(url).content.decode()
    assert re.search(r'<button class="btn btn-outline-danger" type="submit">结束</button>', html)
    # The plain "Close" is Django's and simple_history's (close the window) again.
    assert translation.gettext("Close") == "关闭"
    campaign_services.close_campaign(campaign, zone["zone_admin"])
    html = client.get(url).content.decode()
    assert "已结束" in html and "已办结" not in html
    listing = client.get(reverse("campaigns:list")).content.decode()
    assert "已结束" in listing and "已办结" not in listing


def test_a_campaign_forms_number_field_is_a_数字_to_fill_in(client, zone):
    form = [
        {"key": "output", "label": "一季度产值", "type": "number"},
        {"key": "rate", "label": "返岗率", "type": "percent"},
        {"key": "notes", "label": "说明", "type": "text"},
        {"key": "status", "label": "状态", "type": "choice", "choices": ["正常", "停产"]},
        {"key": "help", "label": "需要协调", "type": "boolean"},
    ]
    campaign = campaign_services.create_campaign(zone["zone_admin"], campaign_data(form=form))
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    for shown in (
        '一季度产值 <span class="text-body-secondary">（数字）',
        "（百分比）",
        "（文本）",
        "（单选：",
        "（是否）",
    ):
        assert shown in html, shown
    assert "（编号）" not in html
    assert translation.gettext("Number") == "编号"  # a demand's number


# --- forms and pages ------------------------------------------------------------------------------------------


def test_the_demand_form_names_its_blank_choices(client, zone, category):
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("demands:create")).content.decode()
    assert "---------" not in html
    assert html.count("请选择") >= 2  # 企业, 类别
    assert 'class="form-select' in html and 'class="form-control' in html
    assert _label(html, "title") == "标题"


def test_the_stats_and_analytics_apps_have_different_names(superuser_client):
    from django.apps import apps

    # The content types of the user permissions widget name their app: 统计数据 | 月度统计数据 | …
    assert str(apps.get_app_config("stats").verbose_name) == "统计数据"
    assert str(apps.get_app_config("analytics").verbose_name) == "经济运行"
    html = superuser_client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>(.*?)</a>', html, re.S)
    assert "登录安全" in sections and "Axes" not in sections
    zone_admin = f.UserFactory(username="zone-admin", role="zone_admin", is_staff=True)
    superuser_client.force_login(zone_admin)
    html = superuser_client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>(.*?)</a>', html, re.S)
    assert sections.count("经济运行") == 1
    assert translation.gettext("Overdue") == "已超期"


def test_the_investment_amounts_read_万元_and_万美元(zone):
    from jingkai.investment.forms import StageForm

    foreign = Project(stage="negotiating", origin="foreign", total_investment_currency="USD", name="甲")
    form = StageForm(project=foreign, stage="signed")
    assert str(form.fields["total_investment"].label).endswith("（万美元）")
    assert str(form.fields["contract_foreign_capital"].label).endswith("（万美元）")
    domestic = Project(stage="negotiating", total_investment_currency="CNY", name="乙")
    form = StageForm(project=domestic, stage="signed")
    assert str(form.fields["total_investment"].label).endswith("（万元）")


def test_the_hundred_yi_line_uses_chinese_punctuation():
    class HundredYi:
        chains = ["汽车电子"]
        groups = ["尼得科"]
        enterprises = ["甲公司", "乙公司"]

    context = {"hundred_yi": HundredYi(), "period": dt.date(2023, 6, 1), "zone_wide": True, "charts": {}}
    html = render_to_string("analytics/_overview_body.html", context)
    line = re.sub(r"\s+", " ", html.split('data-figure="hundred-yi">')[1].split("</div>")[0])
    assert "百亿级：" in line
    assert "产业链 汽车电子； 企业集团 尼得科； 企业 甲公司、乙公司" in line
    assert ";" not in line and ":" not in line


# --- django-axes in the admin -------------------------------------------------------------------------------


def test_the_axes_section_of_the_admin_is_chinese(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in html
    for name in ("登录失败记录", "登录日志", "登录失败明细"):
        assert name in html, name
    assert ">Axes<" not in html and "Access attempts" not in html and "Access logs" not in html


def test_the_axes_lists_are_chinese(superuser_client):
    from axes.models import AccessAttempt, AccessLog

    AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        user_agent="UA",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        user_agent="UA",
        http_accept="*/*",
        path_info="/login/",
        attempt_time=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
    )
    html = superuser_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    for text in (
        "尝试时间",
        "IP 地址",
        "浏览器标识",
        "用户名",
        "访问路径",
        "失败次数",
        "已锁定",
        "清理已过期的记录",
    ):
        assert text in html, text
    for english in ("Attempt Time", "IP Address", "User Agent", "Failed Logins", "Locked Out", "Status"):
        assert english not in html, english
    html = superuser_client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
    assert "退出时间" in html and "Logout Time" not in html
