"""Translations right in context (issue 11 §4): the words a page means, not only a translation present."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from jingkai.campaigns.choices import CampaignStatus
from jingkai.core.forms import BootstrapFormMixin
from jingkai.enterprises.choices import COUNTRY_NAMES
from jingkai.investment import services as investment_services


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_open_means_not_yet_closed_on_the_demand_dashboard_and_running_for_a_campaign():
    assert translation.pgettext("demands not yet closed", "Open") == "未办结"
    assert str(CampaignStatus.OPEN.label) == "进行中"
    assert translation.gettext("Open") == "查看"  # a notification's link: open it


def test_a_demands_number_and_title_are_编号_and_标题():
    assert translation.gettext("Number") == "编号"
    assert translation.gettext("title") == "标题"


def test_the_blank_choice_says_what_it_means():
    class Form(BootstrapFormMixin, forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
        user = forms.ModelChoiceField(queryset=_no_rows(), required=False)

    form = Form()
    assert form.fields["kind"].choices[0] == ("", "请选择")
    assert str(form.fields["user"].empty_label) == "请选择"
    assert "---------" not in str(form)


def _no_rows():
    from jingkai.core.models import User

    return User.objects.none()


def test_filters_left_open_read_全部():
    from django.conf import settings

    assert str(settings.FILTERS_EMPTY_CHOICE_LABEL) == "全部"


def test_the_british_virgin_islands_are_not_called_外资():
    labels = [label for _name, label in COUNTRY_NAMES.values()]
    assert "外资" not in labels and len(labels) == len(set(labels))


def test_a_count_target_reads_as_a_count_and_domestic_capital_is_named():
    assert investment_services._display("approved_projects", Decimal("60.00")) == "60"
    assert investment_services._group_label("country", "") == "内资"
    assert investment_services._group_label("chain", "") == "未归入产业链"
