"""Each list's one FilterSet on its page and its export: an invalid value is shown on the page (and ignored
there, the other filters still applying) and refused by the export with a 400 naming it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jingkai.campaigns import services as campaign_services
from jingkai.core.models import ApiToken
from tests.campaigns.conftest import campaign_data


@pytest.mark.parametrize(
    ("list_url", "export", "params", "field"),
    [
        ("demands:list", "demands:export", {"state": "lost"}, "state"),
        ("demands:list", "demands:export", {"submitted_from": "2023-02-30"}, "submitted_from"),
        ("demands:list", "demands:export", {"due_to": "next week"}, "due_to"),
        ("investment:list", "investment:export", {"year": "1800"}, "year"),
        ("visits:list", "visits:export", {"date_from": "2023-06-01", "date_to": "2023-01-01"}, "date_to"),
        ("visits:list", "visits:export", {"kind": "party"}, "kind"),
    ],
)
def test_invalid_filters_are_shown_on_the_page_and_refused_by_the_export(
    client, zone, list_url, export, params, field
):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse(list_url), params)
    assert response.status_code == 200
    form_errors = response.context.get("errors") or response.context["form"].errors
    assert field in form_errors
    refused = client.get(reverse(export), params)
    assert refused.status_code == 400
    assert field in refused.content.decode()
    assert client.get(reverse(export)).status_code == 200  # no filter at all is fine


def test_campaign_targets_filter_by_grid_id_or_code_and_name_an_invalid_answer(client, zone):
    campaign = campaign_services.create_campaign(zone["zone_admin"], campaign_data())
    campaign_services.launch_campaign(campaign, zone["zone_admin"])
    client.force_login(zone["zone_admin"])
    url = reverse("campaigns:detail", args=[campaign.pk])
    by_id = client.get(url, {"grid": zone.grid1.pk}).context["page"]
    by_code = client.get(url, {"grid": zone.grid1.code}).context["page"]
    assert [t.enterprise_id for t in by_id] == [t.enterprise_id for t in by_code] == [zone.above1.pk]
    bad = client.get(url, {"answered": "maybe"})
    assert "answered" in bad.context["filter_errors"] and bad.context["page"].paginator.count == 4
    _token, raw = ApiToken.issue(zone["zone_admin"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = api.get(f"/api/campaigns/{campaign.pk}/responses", {"grid": zone.grid1.code, "answered": "false"})
    assert [item["enterprise_id"] for item in body.json()["items"]] == [zone.above1.pk]
