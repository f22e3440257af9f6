"""Who may call the API: bearer tokens and browser sessions; everyone else gets 401."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from jingkai.api.auth import TokenAuth
from jingkai.core.models import ApiToken
from tests import factories as f

CSRF_SECRET = "a" * 32  # any 32 alphanumerics form a valid CSRF cookie


@pytest.mark.parametrize("path", ["/api/enterprises", "/api/grids", "/api/enterprises/1"])
def test_no_credentials_is_401(zone, path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer jk_not-a-real-token", "Bearer ", "Token {raw}", "Basic {raw}", "{raw}"],
)
def test_a_wrong_or_malformed_token_is_401(zone, header):
    _token, raw = ApiToken.issue(zone["zone_admin"])
    response = Client(HTTP_AUTHORIZATION=header.format(raw=raw)).get("/api/enterprises")
    assert response.status_code == 401


def test_a_good_token_works_and_a_revoked_one_does_not(zone):
    token, raw = ApiToken.issue(zone["zone_admin"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/enterprises").status_code == 200
    token.revoke()
    assert client.get("/api/enterprises").status_code == 401


def test_a_deactivated_users_token_is_401(zone):
    _token, raw = ApiToken.issue(zone["grid_officer"])
    zone["grid_officer"].is_active = False
    zone["grid_officer"].save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/enterprises").status_code == 401


def test_a_write_with_a_wrong_token_is_401_not_a_csrf_refusal(zone):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer jk_wrong")
    response = client.patch(
        f"/api/enterprises/{zone.above1.pk}", {"employees": 1}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_token_write_needs_no_csrf_token(zone):
    _token, raw = ApiToken.issue(zone["zone_admin"])
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.patch(
        f"/api/enterprises/{zone.above1.pk}", {"employees": 99}, content_type="application/json"
    )
    assert response.status_code == 200


def test_the_token_authenticates_request_user_for_history(db):
    """simple-history records request.user as the author, so the token must set it."""
    request = RequestFactory().get("/api/enterprises")
    user = f.UserFactory(username="api-user")
    _token, raw = ApiToken.issue(user)
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    assert TokenAuth()(request) == user
    assert request.user == user


def test_a_patch_with_a_token_is_recorded_as_that_users_change(zone, api_as):
    response = api_as("grid_officer").patch(
        f"/api/enterprises/{zone.above1.uscc}", {"employees": 321}, content_type="application/json"
    )
    assert response.status_code == 200
    latest = zone.above1.history.latest()
    assert latest.employees == 321
    assert latest.history_user == zone["grid_officer"]


def test_a_browser_session_reads_without_a_token(zone, api_as):
    client = api_as("grid_officer", session=True)
    names = [item["name"] for item in client.get("/api/enterprises").json()["items"]]
    assert names == [zone.above1.name]


def test_a_browser_session_write_needs_the_csrf_token(zone, api_as):
    client = api_as("zone_admin", session=True, enforce_csrf_checks=True)
    url = f"/api/enterprises/{zone.above1.pk}"
    refused = client.patch(url, {"employees": 50}, content_type="application/json")
    assert refused.status_code == 403
    client.cookies["csrftoken"] = CSRF_SECRET
    accepted = client.patch(
        url, {"employees": 50}, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_SECRET
    )
    assert accepted.status_code == 200
    assert accepted.json()["employees"] == 50
