"""/api/campaigns: paths pinned, scoping matrix, results and answering with located errors."""

from __future__ import annotations

import pytest

from jingkai.campaigns import services
from jingkai.campaigns.models import CampaignResponse
from tests.campaigns.test_campaigns import GOOD, MAY_ANSWER
from tests.conftest import PERSONAS

ENTERPRISES = ("above1", "above2", "below1", "below2")


def test_paths_are_in_the_schema(api_as):
    paths = api_as("zone_admin").get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/campaigns"]
    assert "get" in paths["/api/campaigns/{campaign_id}"]
    assert "get" in paths["/api/campaigns/{campaign_id}/results"]
    assert {"get", "post"} <= set(paths["/api/campaigns/{campaign_id}/responses"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_scoping_matrix(zone, campaign, api_as, persona):
    services.answer(campaign.targets.get(enterprise=zone.above1), zone["zone_admin"], GOOD)
    client = api_as(persona)
    visible = MAY_ANSWER[persona]
    listing = client.get("/api/campaigns").json()
    assert listing["count"] == (1 if visible else 0)
    detail = client.get(f"/api/campaigns/{campaign.pk}")
    responses = client.get(f"/api/campaigns/{campaign.pk}/responses")
    results = client.get(f"/api/campaigns/{campaign.pk}/results")
    expected = 200 if visible else 404
    assert (detail.status_code, responses.status_code, results.status_code) == (expected,) * 3
    if visible:
        assert detail.json()["targets"] == len(visible)
        assert {r["enterprise"] for r in responses.json()["items"]} == {
            getattr(zone, k).name for k in visible
        }
        assert results.json()["total"]["targets"] == len(visible)


def test_answer_through_the_api(zone, campaign, api_as):
    client = api_as("enterprise")
    url = f"/api/campaigns/{campaign.pk}/responses"
    bad = client.post(
        url,
        {"enterprise": zone.above1.uscc, "answers": {"status": "放假", "return_rate": 101}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {tuple(d["loc"]) for d in bad.json()["detail"]} == {
        ("body", "answers", "status"),
        ("body", "answers", "return_rate"),
    }
    other = client.post(
        url, {"enterprise": zone.above2.uscc, "answers": GOOD}, content_type="application/json"
    )
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["body", "enterprise"]
    assert not CampaignResponse.objects.exists()
    ok = client.post(
        url, {"enterprise": str(zone.above1.pk), "answers": GOOD}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["answers"]["return_rate"] == 85
    answered = client.get(url, {"answered": "true"}).json()
    assert [r["enterprise_id"] for r in answered["items"]] == [zone.above1.pk]
    results = api_as("zone_admin").get(f"/api/campaigns/{campaign.pk}/results").json()
    assert results["total"]["answered"] == 1
    assert results["total"]["averages"]["return_rate"] == 85.0
    assert results["total"]["choices"]["status"] == {"部分复工": 1}


def test_answers_to_a_closed_campaign_are_refused(zone, campaign, api_as):
    services.close_campaign(campaign, zone["zone_admin"])
    response = api_as("enterprise").post(
        f"/api/campaigns/{campaign.pk}/responses",
        {"enterprise": str(zone.above1.pk), "answers": GOOD},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
    assert not CampaignResponse.objects.exists()
