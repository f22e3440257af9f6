"""Campaigns: scope resolution, the form and its answers, permissions, the state machine, results."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingkai.campaigns import services
from jingkai.campaigns.forms_def import validate_answers, validate_form
from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignStatus, CampaignTarget
from jingkai.campaigns.results import results_by_grid
from jingkai.chains.models import Chain, ChainMembership
from tests import factories as f
from tests.campaigns.conftest import RESUMPTION_FORM, campaign_data
from tests.conftest import PERSONAS, VISIBLE

ENTERPRISES = ("above1", "above2", "below1", "below2")
GOOD = {"status": "部分复工", "return_rate": "85%", "difficulties": "物流不畅", "needs_help": "是"}


def target_names(campaign) -> set[str]:
    return set(campaign.targets.values_list("enterprise__name", flat=True))


def names(zone, keys) -> set[str]:
    return {getattr(zone, key).name for key in keys}


def launch(zone, **overrides):
    campaign = services.create_campaign(zone["zone_admin"], campaign_data(**overrides))
    services.launch_campaign(campaign, zone["zone_admin"])
    return campaign


def test_scope_zone_and_above_size_only(zone):
    assert target_names(launch(zone)) == names(zone, ENTERPRISES)
    assert target_names(launch(zone, scope_above_size_only=True)) == names(zone, ["above1", "above2"])


def test_scope_grids(zone):
    assert target_names(launch(zone, scope_kind="grids", scope_grids=[zone.grid2])) == names(zone, ["above2"])


def test_scope_chain(zone):
    chain = Chain.objects.create(code="auto", name="汽车零部件")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above1, role="core")
    ChainMembership.objects.create(chain=chain, enterprise=zone.below2, role="core")
    assert target_names(launch(zone, scope_kind="chain", scope_chain=chain)) == names(
        zone, ["above1", "below2"]
    )


def test_scope_list_and_targets_frozen_at_launch(zone):
    campaign = launch(zone, scope_kind="list", scope_enterprises=[zone.below1, zone.above2])
    assert target_names(campaign) == names(zone, ["below1", "above2"])
    target = campaign.targets.get(enterprise=zone.above2)
    assert target.grid == zone.grid2
    # The registry changes after the launch: who was asked, and in which grid, does not.
    zone.above2.grid = zone.grid1
    zone.above2.save()
    f.EnterpriseFactory(grid=zone.grid2)
    target.refresh_from_db()
    assert target.grid == zone.grid2
    assert target_names(campaign) == names(zone, ["below1", "above2"])
    assert target.history.count() == 1


def test_form_validation_names_each_bad_field():
    with pytest.raises(ValidationError) as caught:
        validate_form(
            [
                {"label": "状态", "type": "choice", "choices": ["正常"]},
                {"label": "", "type": "percent"},
                {"label": "返岗率", "type": "slider"},
                {"key": "x", "label": "A", "type": "text", "choices": ["a", "b"]},
                {"key": "x", "label": "B", "type": "text", "required": "yes"},
            ]
        )
    assert set(caught.value.message_dict) == {
        "form.0.choices",
        "form.1.label",
        "form.2.type",
        "form.3.choices",
        "form.4.key",
        "form.4.required",
    }
    with pytest.raises(ValidationError):
        validate_form([])
    cleaned = validate_form([{"label": "员工返岗率", "type": "percent", "required": True}])
    assert cleaned == [{"key": "f1", "label": "员工返岗率", "type": "percent", "required": True}]


def test_answers_are_validated_against_the_form():
    form = validate_form(RESUMPTION_FORM)
    assert validate_answers(form, GOOD) == {
        "status": "部分复工",
        "return_rate": 85,
        "difficulties": "物流不畅",
        "needs_help": True,
    }
    with pytest.raises(ValidationError) as caught:
        validate_answers(form, {"status": "放假", "return_rate": "120", "needs_help": "maybe", "extra": 1})
    assert set(caught.value.message_dict) == {"status", "return_rate", "needs_help", "extra"}
    with pytest.raises(ValidationError) as caught:
        validate_answers(form, {"return_rate": "abc"})
    assert set(caught.value.message_dict) == {"status", "return_rate"}


def test_state_machine_refuses_illegal_steps(zone, campaign):
    admin = zone["zone_admin"]
    with pytest.raises(ValidationError) as caught:
        services.launch_campaign(campaign, admin)
    assert "status" in caught.value.message_dict
    assert campaign.targets.count() == 4
    services.close_campaign(campaign, admin)
    with pytest.raises(ValidationError):
        services.close_campaign(campaign, admin)
    target = campaign.targets.get(enterprise=zone.above1)
    with pytest.raises(ValidationError):
        services.answer(target, admin, GOOD)
    assert not CampaignResponse.objects.exists()
    assert [h.status for h in campaign.history.order_by("history_id")] == ["draft", "open", "closed"]


def test_only_zone_admins_set_up_campaigns(zone):
    for persona in PERSONAS:
        if persona == "zone_admin":
            continue
        with pytest.raises(PermissionDenied):
            services.create_campaign(zone[persona], campaign_data())
    assert not Campaign.objects.exists()


def test_launching_an_empty_scope_is_refused(zone):
    campaign = services.create_campaign(
        zone["zone_admin"], campaign_data(scope_kind="grids", scope_grids=[f.GridFactory()])
    )
    with pytest.raises(ValidationError):
        services.launch_campaign(campaign, zone["zone_admin"])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


# Who may answer for which enterprise: the contact for their own, staff for their scope.
MAY_ANSWER = {**VISIBLE, "department": set()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_answer_permissions(zone, campaign, persona):
    user = zone[persona]
    for key in ENTERPRISES:
        target = campaign.targets.get(enterprise=getattr(zone, key))
        if key in MAY_ANSWER[persona]:
            services.answer(target, user, GOOD)
            assert target.response.answered_by == user
        else:
            with pytest.raises(PermissionDenied):
                services.answer(target, user, GOOD)
            assert not CampaignResponse.objects.filter(target=target).exists()


def test_a_guide_may_answer_and_see_the_target(zone, campaign):
    guide = zone["department"]
    target = campaign.targets.get(enterprise=zone.above2)
    with pytest.raises(PermissionDenied):
        services.assign_guide(target, zone["grid_leader"], guide)  # another grid's leader
    services.assign_guide(target, zone["zone_admin"], guide)
    assert set(CampaignTarget.objects.visible_to(guide)) == {target}
    services.answer(target, guide, GOOD)
    assert target.response.answered_by == guide
    with pytest.raises(ValidationError):
        services.assign_guide(
            campaign.targets.get(enterprise=zone.above1), zone["grid_leader"], zone["enterprise"]
        )


def test_correcting_an_answer_keeps_the_history(zone, campaign):
    target = campaign.targets.get(enterprise=zone.above1)
    services.answer(target, zone["enterprise"], GOOD)
    services.answer(target, zone["grid_officer"], {**GOOD, "return_rate": 95})
    response = CampaignResponse.objects.get(target=target)
    assert response.answers["return_rate"] == 95
    assert [h.answers["return_rate"] for h in response.history.order_by("history_id")] == [85, 95]


def test_results_per_grid(zone, campaign):
    services.answer(campaign.targets.get(enterprise=zone.above1), zone["zone_admin"], GOOD)
    services.answer(
        campaign.targets.get(enterprise=zone.below1),
        zone["zone_admin"],
        {"status": "正常生产", "return_rate": 100},
    )
    results = results_by_grid(campaign, services.targets_of(campaign, zone["zone_admin"]))
    by_code = {b.code: b for b in results.grids}
    assert (by_code[zone.grid1.code].answered, by_code[zone.grid1.code].targets) == (1, 1)
    assert (by_code[zone.grid2.code].answered, by_code[zone.grid2.code].targets) == (0, 1)
    assert (by_code[""].answered, by_code[""].targets) == (1, 2)  # the 规下 ones, in no grid
    assert results.total.average("return_rate") == 92.5
    assert results.total.choices["status"] == {"部分复工": 1, "正常生产": 1}
    assert results.total.rate == 50.0
    # A grid leader's results cover their grid only.
    mine = results_by_grid(campaign, services.targets_of(campaign, zone["grid_leader"]))
    assert [b.code for b in mine.grids] == [zone.grid1.code] and mine.total.targets == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_are_scoped(client, zone, campaign, persona):
    services.answer(campaign.targets.get(enterprise=zone.above1), zone["zone_admin"], GOOD)
    client.force_login(zone[persona])
    visible = MAY_ANSWER[persona]
    listing = client.get(reverse("campaigns:list"))
    assert (campaign.title in listing.content.decode()) == bool(visible)
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    results = client.get(reverse("campaigns:results", args=[campaign.pk]))
    export = client.get(reverse("campaigns:results_export", args=[campaign.pk]))
    expected = 200 if visible else 404
    assert (detail.status_code, results.status_code, export.status_code) == (expected,) * 3
    if visible:
        html = detail.content.decode()
        for key in ENTERPRISES:
            assert (getattr(zone, key).name in html) == (key in visible), key
        book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        answers = book.get_sheet_by_index(1).to_python()
        assert {row[0] for row in answers[1:]} == names(zone, visible)
    for key in ENTERPRISES:
        page = client.get(reverse("campaigns:answer", args=[campaign.pk, getattr(zone, key).pk]))
        assert page.status_code == (200 if key in visible else 404), key


def test_drafts_are_seen_by_zone_admins_only(client, zone):
    draft = services.create_campaign(zone["zone_admin"], campaign_data())
    client.force_login(zone["grid_leader"])
    assert client.get(reverse("campaigns:detail", args=[draft.pk])).status_code == 404
    client.force_login(zone["zone_admin"])
    assert client.get(reverse("campaigns:detail", args=[draft.pk])).status_code == 200


def test_answer_page_and_launch_page_flow(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "2022年复工复产排查",
            "kind": "resumption",
            "opens_on": "2022-04-06",
            "closes_on": "2022-05-31",
            "scope_kind": "list",
            "scope_enterprises": f"{zone.above1.uscc}\n{zone.below1.name}",
            "form_text": "生产经营状态 | 选择 | 必填 | 正常生产/部分复工/停产\n员工返岗率 | 百分比 | 必填\n主要困难 | 文本",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert [f["type"] for f in campaign.form] == ["choice", "percent", "text"]
    client.post(reverse("campaigns:launch", args=[campaign.pk]))
    assert target_names(campaign) == names(zone, ["above1", "below1"])
    client.force_login(zone["enterprise"])
    url = reverse("campaigns:answer", args=[campaign.pk, zone.above1.pk])
    bad = client.post(url, {"f1": "放假", "f2": "150"})
    assert bad.status_code == 200 and not CampaignResponse.objects.exists()
    ok = client.post(url, {"f1": "部分复工", "f2": "80", "f3": ""})
    assert ok.status_code == 302
    assert CampaignResponse.objects.get().answers == {"f1": "部分复工", "f2": 80}
    # Typed as staff type it (full-width digits and percent sign); a refused choice changes nothing.
    assert client.post(url, {"f1": "正常生产", "f2": "９０％"}).status_code == 302
    assert CampaignResponse.objects.get().answers == {"f1": "正常生产", "f2": 90}
    refused = client.post(url, {"f1": "放假", "f2": "95"})
    assert refused.status_code == 200 and "放假" in refused.content.decode()
    assert CampaignResponse.objects.get().answers == {"f1": "正常生产", "f2": 90}


def test_campaign_form_reports_bad_lines(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "x",
            "kind": "inspection",
            "opens_on": "2022-04-06",
            "closes_on": "2022-04-01",
            "scope_kind": "list",
            "scope_enterprises": "不存在的企业",
            "form_text": "状态 | 选择 | 必填 | 只有一个",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"scope_enterprises"}
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "x",
            "kind": "inspection",
            "opens_on": "2022-04-06",
            "closes_on": "2022-04-01",
            "scope_kind": "zone",
            "form_text": "状态 | 选择 | 必填 | 只有一个",
        },
    )
    form = response.context["form"]
    assert set(form.errors) == {"closes_on", "form_text"}
    assert "1" in form.errors["form_text"][0]
    assert not Campaign.objects.exists()


def test_closing_date_after_opening_is_a_database_rule_too(zone):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            title="x", kind="survey", opens_on=dt.date(2022, 5, 1), closes_on=dt.date(2022, 4, 1)
        )
