from __future__ import annotations

import pytest
from django.test import Client

from jingkai.core.models import ApiToken


@pytest.fixture
def api_as(zone):
    """api_as("grid_officer") -> a test client sending that persona's bearer token."""

    def make(persona: str, **client_kwargs) -> Client:
        _token, raw = ApiToken.issue(zone[persona])
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **client_kwargs)

    return make


@pytest.fixture
def admin_api(api_as):
    return api_as("zone_admin")
